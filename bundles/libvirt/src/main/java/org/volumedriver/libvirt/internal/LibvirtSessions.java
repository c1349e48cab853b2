package org.volumedriver.libvirt.internal;

import java.util.Objects;
import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.volumedriver.spi.HypervisorException;

/**
 * libvirt sessions on the URI in force for the guest-usage check, the reconciler and the operations
 * on attached volumes: a connection per session, or for the test driver the one kept connection
 * ({@link TestDriverConnection}) they share.
 */
@Component(service = LibvirtSessions.class)
public class LibvirtSessions implements AutoCloseable {

    private final Supplier<LibvirtSettings> settings;
    private final TestDriverConnection connections = new TestDriverConnection();

    /**
     * @param settings the settings in force
     */
    @Activate
    public LibvirtSessions(@Reference CurrentSettings settings) {
        this((Supplier<LibvirtSettings>) settings);
    }

    private LibvirtSessions(Supplier<LibvirtSettings> settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Outside a framework. A factory rather than a second public constructor: Declarative Services
     * picks its constructor by the number of arguments.
     *
     * @param settings the settings, fixed
     * @return sessions on those settings
     */
    public static LibvirtSessions withSettings(LibvirtSettings settings) {
        Objects.requireNonNull(settings, "settings");
        return new LibvirtSessions(() -> settings);
    }

    /** @return the settings in force */
    LibvirtSettings settings() {
        return settings.get();
    }

    /**
     * @return a session on the URI in force; close it when done
     * @throws HypervisorException if libvirt cannot be reached
     */
    Libvirt open() throws HypervisorException {
        return connections.session(settings.get().uri());
    }

    /** Closes the kept connection; libvirt's error reporting goes back to its default with the bundle's classes. */
    @Override
    @Deactivate
    public void close() {
        connections.close();
        Libvirt.uninstallErrorCallback();
    }
}
