package org.volumedriver.libvirt.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt.VirErrorCallback;
import org.libvirt.jna.virError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.Redactor;

import com.sun.jna.Pointer;

/**
 * The small part of libvirt-java this bundle uses: one connection per operation, typed errors, and
 * libvirt's error printing routed to the log.
 */
public final class Libvirt implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Libvirt.class);

    /** libvirt's {@code VIR_ERR_NO_DOMAIN}. */
    public static final int VIR_ERR_NO_DOMAIN = 42;

    /**
     * Without a callback libvirt prints every error to stderr. The errors also come back as
     * exceptions, so they are logged at debug level only. Kept in a static field: JNA must not
     * lose the callback to the garbage collector while libvirt holds it.
     */
    private static final AtomicLong ERRORS_REPORTED = new AtomicLong();

    private static final VirErrorCallback TO_LOG = new VirErrorCallback() {
        @Override
        public void errorCallback(Pointer userData, virError error) {
            ERRORS_REPORTED.incrementAndGet();
            if (error != null && LOG.isDebugEnabled()) {
                LOG.debug("libvirt error {} (domain {}): {}", error.code, error.domain, Redactor.redactText(error.message));
            }
        }
    };

    private static final AtomicBoolean CALLBACK_INSTALLED = new AtomicBoolean();

    private final Connect connect;

    private Libvirt(Connect connect) {
        this.connect = connect;
    }

    /**
     * Routes libvirt's global error reporting to the log (once per class loader).
     *
     * @throws HypervisorException if the libvirt library cannot be loaded
     */
    public static void installErrorCallback() throws HypervisorException {
        if (CALLBACK_INSTALLED.get()) {
            return;
        }
        try {
            Connect.setErrorCallback(TO_LOG);
            CALLBACK_INSTALLED.set(true);
        } catch (LibvirtException e) {
            throw error("set error callback", e);
        } catch (LinkageError e) {
            throw new HypervisorException("load libvirt", -1, "the libvirt library (libvirt.so.0) could not be loaded: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Opens a read-write connection.
     *
     * @param uri the connection URI
     * @return the open connection; close it
     * @throws HypervisorException with libvirt's error code if the connection fails
     */
    public static Libvirt open(String uri) throws HypervisorException {
        installErrorCallback();
        try {
            Connect connect = new Connect(uri);
            connect.setConnectionErrorCallback(TO_LOG);
            return new Libvirt(connect);
        } catch (LibvirtException e) {
            throw error("connect to " + uri, e);
        }
    }

    /** @return how many errors libvirt reported to this bundle's callback instead of printing them */
    public static long errorsReported() {
        return ERRORS_REPORTED.get();
    }

    /** @return the underlying libvirt-java connection */
    public Connect connect() {
        return connect;
    }

    /**
     * @param name the domain name
     * @return the domain
     * @throws HypervisorException with {@link #VIR_ERR_NO_DOMAIN} if there is no such domain
     */
    public Domain domain(String name) throws HypervisorException {
        try {
            return connect.domainLookupByName(name);
        } catch (LibvirtException e) {
            throw error("look up domain " + Redactor.quote(name), e);
        }
    }

    /**
     * Converts a libvirt failure; the numeric code is libvirt's {@code virErrorNumber}.
     *
     * @param operation what was attempted
     * @param e the failure
     * @return the typed exception
     */
    public static HypervisorException error(String operation, LibvirtException e) {
        org.libvirt.Error error = e.getError();
        int code = error == null || error.getCode() == null ? -1 : error.getCode().ordinal();
        String detail = error == null ? "unknown error" : Redactor.redactText(error.getMessage());
        return new HypervisorException(operation, code, detail, e);
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            LOG.debug("closing the libvirt connection failed: libvirt error {}", error("close", e).errorCode());
        }
    }
}
