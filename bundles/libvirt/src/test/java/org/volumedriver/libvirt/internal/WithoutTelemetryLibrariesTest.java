package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Other modules' tests build the attacher, the reconciler and the operations on attached volumes
 * outside a framework, with neither Event Admin nor Micrometer on their class path (both are
 * provided-scope here). In a class loader without them, the components work and their telemetry
 * stays a no-op: nothing resolves a class of either library unless a service is bound.
 */
class WithoutTelemetryLibrariesTest {

    @Test
    void theComponentsRunWithoutEventAdminAndMicrometerClasses() throws Exception {
        Prerequisites.requireLibvirt();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        int left = 0;
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.contains("micrometer") || entry.contains("org.osgi.service.event") || entry.contains("HdrHistogram")) {
                left++;
                continue;
            }
            urls.add(Path.of(entry).toUri().toURL());
        }
        assertTrue(left >= 2, "the libraries were on the class path to leave out: " + classPath);
        try (URLClassLoader isolated = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> isolated.loadClass("org.osgi.service.event.EventAdmin"));
            assertThrows(ClassNotFoundException.class, () -> isolated.loadClass("io.micrometer.core.instrument.MeterRegistry"));
            @SuppressWarnings("unchecked")
            Callable<String> probe = (Callable<String>) isolated.loadClass(Probe.class.getName()).getDeclaredConstructor().newInstance();
            assertEquals("UNKNOWN_DRIVER INVALID_DISK_SPEC reachable", probe.call());
        }
    }

    /** Runs in the isolated class loader: every telemetry call of the components, with nothing bound. */
    public static final class Probe implements Callable<String> {
        @Override
        public String call() throws Exception {
            LibvirtSettings settings = new LibvirtSettings("test:///default", Duration.ofMillis(100), Duration.ofMillis(10),
                    TestConfigs.defaultPolicy());
            VolumeDriversImpl drivers = new VolumeDriversImpl();
            StringBuilder out = new StringBuilder();
            VolumeAttacherImpl attacher = VolumeAttacherImpl.withSettings(drivers, settings);
            try (AttachedVolumesImpl volumes = AttachedVolumesImpl.withSettings(drivers, settings);
                    LibvirtSessions sessions = LibvirtSessions.withSettings(settings)) {
                ConnectionInfo info = ConnectionInfo.fromMap(Map.of("driver_volume_type", "none", "data", Map.of("name", "v")));
                try {
                    attacher.attach("test", info, Attachment.of("v", "i"), "vdb", "virtio", AttachMode.CONFIG);
                } catch (VolumeDriverException e) {
                    out.append(e.code());
                }
                try {
                    volumes.extend("bad name", info, 1);
                } catch (VolumeDriverException e) {
                    out.append(' ').append(e.code());
                }
                VolumeReconcilerImpl reconciler = new VolumeReconcilerImpl(drivers, sessions);
                try {
                    out.append(reconciler.reconcile(false).libvirtReachable() ? " reachable" : " unreachable");
                } finally {
                    reconciler.deactivate();
                }
            } finally {
                attacher.deactivate();
            }
            assertFalse(out.isEmpty());
            return out.toString();
        }
    }
}
