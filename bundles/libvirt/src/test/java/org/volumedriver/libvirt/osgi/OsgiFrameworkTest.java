package org.volumedriver.libvirt.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachedVolumes;
import org.volumedriver.libvirt.DiskXmlService;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.VolumeAttacher;
import org.volumedriver.libvirt.VolumeReconciler;
import org.volumedriver.spi.GuestUsage;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.UnsupportedFormatException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeEvents;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The bundle as built (target/classes with bnd's manifest and the embedded libvirt-java) in a real
 * OSGi framework: Felix 7.0.5 with SCR 2.2.6, ConfigAdmin 1.9.26 and the JNA 5.18.1 bundle, the
 * versions Karaf 4.4.10 runs. The API and SPI packages come from the class path through the system
 * bundle, so the test and the bundle share them. Proves that the manifest resolves, the
 * components start, configuration applies live, drivers are tracked dynamically, and libvirt-java
 * with JNA works inside the framework (a call on test:///default); the guest-usage service and the
 * reconciler read the test driver's domains, and the reconciler's schedule thread does not outlive
 * an update of the bundle. Event Admin and a MeterRegistry registered from outside are bound to
 * the bundle's telemetry while they are there.
 */
class OsgiFrameworkTest {

    @TempDir
    static Path storage;

    private static Framework framework;
    private static BundleContext context;

    private static Path artifact(String group, String name, String version) {
        Path repo = Path.of(System.getProperty("local.repository", System.getProperty("user.home") + "/.m2/repository"));
        return repo.resolve(group.replace('.', '/')).resolve(name).resolve(version).resolve(name + "-" + version + ".jar");
    }

    @BeforeAll
    static void start() throws Exception {
        org.volumedriver.libvirt.internal.Prerequisites.requireLibvirt();
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, String.join(",",
                "org.volumedriver.spi;version=1.3.0",
                "org.volumedriver.libvirt;version=1.2.0",
                // from the class path, like the API: the test's Event Admin and registry are the bundle's types
                "org.osgi.service.event;version=1.4.1",
                "io.micrometer.core.instrument;version=1.16.8",
                "org.slf4j;version=2.0.16",
                "org.slf4j.event;version=2.0.16",
                "org.slf4j.helpers;version=2.0.16",
                "org.slf4j.spi;version=2.0.16"));
        framework = new FrameworkFactory().newFramework(config);
        framework.start();
        context = framework.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        bundles.add(context.installBundle(artifact("org.osgi", "org.osgi.util.function", "1.2.0").toUri().toString()));
        bundles.add(context.installBundle(artifact("org.osgi", "org.osgi.util.promise", "1.3.0").toUri().toString()));
        bundles.add(context.installBundle(artifact("org.osgi", "org.osgi.service.component", "1.5.1").toUri().toString()));
        bundles.add(context.installBundle(artifact("org.apache.felix", "org.apache.felix.configadmin", "1.9.26").toUri().toString()));
        bundles.add(context.installBundle(artifact("org.apache.felix", "org.apache.felix.scr", "2.2.6").toUri().toString()));
        bundles.add(context.installBundle(artifact("net.java.dev.jna", "jna", "5.18.1").toUri().toString()));
        Path classes = Path.of("target/classes").toAbsolutePath();
        assertTrue(Files.exists(classes.resolve("META-INF/MANIFEST.MF")), "bnd has not written the manifest");
        bundles.add(context.installBundle("reference:" + classes.toUri()));
        for (Bundle b : bundles) {
            b.start();
        }
        Bundle ours = bundles.get(bundles.size() - 1);
        assertEquals("org.volumedriver.libvirt", ours.getSymbolicName());
        assertEquals(Bundle.ACTIVE, ours.getState());
    }

    @AfterAll
    static void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    private static <T> T service(Class<T> type) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            ServiceReference<T> ref = context.getServiceReference(type);
            if (ref != null) {
                return context.getService(ref);
            }
            Thread.sleep(50);
        }
        throw new AssertionError(type.getSimpleName() + " was not registered");
    }

    /** ConfigurationAdmin lives in its bundle's class space: reached by reflection. */
    private static void configure(Map<String, Object> values) throws Exception {
        ServiceReference<?> ref = null;
        for (int i = 0; i < 100 && ref == null; i++) {
            ServiceReference<?>[] all = context.getAllServiceReferences("org.osgi.service.cm.ConfigurationAdmin", null);
            ref = all == null ? null : all[0];
            if (ref == null) {
                Thread.sleep(50);
            }
        }
        assertNotNull(ref, "ConfigurationAdmin not registered; bundles: " + states());
        Object admin = context.getService(ref);
        Object configuration = admin.getClass().getMethod("getConfiguration", String.class, String.class)
                .invoke(admin, "org.volumedriver.libvirt", "?");
        Dictionary<String, Object> props = new Hashtable<>(values);
        Method update = configuration.getClass().getMethod("update", Dictionary.class);
        update.setAccessible(true);
        update.invoke(configuration, props);
    }

    private static String states() {
        StringBuilder out = new StringBuilder();
        for (Bundle b : context.getBundles()) {
            out.append(b.getSymbolicName()).append('=').append(b.getState()).append(' ');
        }
        return out.toString();
    }

    private static ServiceRegistration<VolumeDriver> register(VolumeDriver driver, String type) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(VolumeDriver.TYPE_PROPERTY, type);
        return context.registerService(VolumeDriver.class, driver, props);
    }

    @Test
    void theBundleWorksInsideAFramework() throws Exception {
        configure(Map.of("uri", "test:///default", "source.types", new String[] {"fake=file"}));
        VolumeDrivers before = service(VolumeDrivers.class);
        VolumeAttacher attacher = service(VolumeAttacher.class);

        // the whiteboard follows the registry: a driver comes and goes while the service stays
        FakeDriver driver = new FakeDriver();
        ServiceRegistration<VolumeDriver> registration = register(driver, "fake");
        assertEquals(Set.of("fake"), before.types());

        // libvirt-java and JNA inside the framework: the test driver refuses device attach (error 3),
        // and the connect is undone
        ConnectionInfo info = ConnectionInfo.fromMap(Map.of("driver_volume_type", "fake", "data", Map.of("name", "volume-1")));
        Attachment attachment = Attachment.of("volume-1", "i1");
        // the optional telemetry services come and are bound dynamically
        List<Event> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServiceRegistration<EventAdmin> eventAdmin = context.registerService(EventAdmin.class, new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                posted.add(event);
            }

            @Override
            public void sendEvent(Event event) {
                throw new AssertionError("never sent synchronously");
            }
        }, null);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ServiceRegistration<MeterRegistry> registry = context.registerService(MeterRegistry.class, meters, null);
        waitForUri(attacher, info, attachment);
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> attacher.attach("test", info, attachment, "vdb", "virtio", AttachMode.LIVE));
        assertEquals(3, e.errorCode(), e.getMessage());
        assertEquals(List.of("connect", "disconnect"), driver.calls);
        assertTrue(posted.stream().anyMatch(event -> event.getTopic().equals(VolumeEvents.GUEST_FAILED)
                && "HYPERVISOR_ERROR".equals(event.getProperty(VolumeEvents.CODE))), posted.toString());
        assertTrue(meters.find("volumedriver.attach").tags("driver", "fake", "outcome", "hypervisor_error").timer().count() >= 1);

        // the operations on attached volumes: the test domain has no disk of this volume
        assertEquals("DISK_NOT_FOUND", assertThrows(org.volumedriver.spi.VolumeDriverException.class,
                () -> service(AttachedVolumes.class).chain("test", info)).code());
        eventAdmin.unregister();
        registry.unregister();
        int postedBefore = posted.size();
        assertThrows(HypervisorException.class, () -> attacher.attach("test", info, attachment, "vdb", "virtio", AttachMode.LIVE));
        assertEquals(postedBefore, posted.size(), "unbound: nothing posted");

        // the reconciler and the guest-usage check read the test driver's domains inside the framework
        ReconcileReport report = service(VolumeReconciler.class).reconcile(true);
        assertTrue(report.libvirtReachable() && report.domains() >= 1, report.toString());
        assertEquals(List.of(), service(GuestUsage.class).guestsUsing(Path.of("/var/lib/volumedriver/fake")));
        assertEquals(1, reconcileThreads(), "the reconciler is immediate: its schedule runs");

        registration.unregister();
        assertThrows(UnknownDriverException.class, () -> before.driver("fake"));

        // a bundle update replaces the classes that libvirt's error callback points into: after the
        // update (and a collection of the old class loader) libvirt errors must still be safe
        Bundle ours = FrameworkUtil.getBundle(attacher.getClass());
        ours.update();
        refresh(ours);
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        VolumeAttacher updated = service(VolumeAttacher.class);
        assertEquals(1, reconcileThreads(), "the stopped reconciler's schedule thread has ended");
        ServiceRegistration<VolumeDriver> again = register(driver, "fake");
        waitForUri(updated, info, attachment);
        assertEquals(3, assertThrows(HypervisorException.class,
                () -> updated.attach("test", info, attachment, "vdb", "virtio", AttachMode.LIVE)).errorCode());
        again.unregister();
        assertEquals(Set.of(), service(VolumeDrivers.class).types());
        DiskXmlService disks = service(DiskXmlService.class);

        // configuration applies live; a refused change keeps the previous allowlists
        DiskSpec qcow2 = DiskSpec.builder().sourceType("file").sourcePath("/v/volume-1").format("qcow2").target("vdb", "virtio").build();
        disks.diskXml("fake", qcow2);
        configure(Map.of("uri", "test:///default", "source.types", new String[] {"fake=file"}, "formats", new String[] {"raw", "vmdk"}));
        Thread.sleep(500);
        disks.diskXml("fake", qcow2);
        configure(Map.of("uri", "test:///default", "source.types", new String[] {"fake=file"}, "formats", new String[] {"raw"}));
        assertThrows(UnsupportedFormatException.class, () -> {
            for (int i = 0; i < 100; i++) {
                disks.diskXml("fake", qcow2);
                Thread.sleep(50);
            }
        });

        // a .cfg file (fileinstall) gives plain strings for the list keys: SCR turns "raw, qcow2"
        // into a one-element array, and that is the same list as {"raw", "qcow2"}
        configure(Map.of("uri", "test:///default", "source.types", "fake=file", "formats", "raw, qcow2"));
        boolean accepted = false;
        for (int i = 0; i < 100 && !accepted; i++) {
            try {
                disks.diskXml("fake", qcow2);
                accepted = true;
            } catch (UnsupportedFormatException notYet) {
                Thread.sleep(50);
            }
        }
        assertTrue(accepted, "formats = \"raw, qcow2\" from a string was not applied");
        DiskSpec vmdk = DiskSpec.builder().sourceType("file").sourcePath("/v/volume-1").format("vmdk").target("vdb", "virtio").build();
        assertThrows(UnsupportedFormatException.class, () -> disks.diskXml("fake", vmdk));
    }

    private static long reconcileThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals("volumedriver-reconcile")).count();
    }

    private static void refresh(Bundle bundle) throws Exception {
        FrameworkWiring wiring = framework.adapt(FrameworkWiring.class);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        wiring.refreshBundles(List.of(bundle), event -> done.countDown());
        assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS), "refresh");
        assertEquals(Bundle.ACTIVE, bundle.getState());
    }

    /** ConfigAdmin delivers asynchronously: wait until the attacher talks to test:///default. */
    private static void waitForUri(VolumeAttacher attacher, ConnectionInfo info, Attachment attachment) throws Exception {
        for (int i = 0; i < 100; i++) {
            try {
                attacher.attach("no-such-domain", info, attachment, "vdb", "virtio", AttachMode.LIVE);
            } catch (HypervisorException e) {
                if (e.errorCode() == 42) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the attacher never used test:///default");
    }

    /** A minimal driver registered from outside the bundle. */
    static final class FakeDriver implements VolumeDriver {
        final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public String type() {
            return "fake";
        }

        @Override
        public void validate(ConnectionInfo info) {
        }

        @Override
        public DiskSpec connect(ConnectionInfo info, Attachment attachment) {
            calls.add("connect");
            return describeDisk(info);
        }

        @Override
        public DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) {
            calls.add("disconnect");
            return DisconnectOutcome.UNMOUNTED;
        }

        @Override
        public DiskSpec describeDisk(ConnectionInfo info) {
            return DiskSpec.builder().sourceType("file").sourcePath("/var/lib/volumedriver/fake/" + info.name().orElseThrow()).format("raw").build();
        }

        @Override
        public List<MountStatus> mounts() {
            return List.of();
        }

        @Override
        public MountStatus heal(String mountDirectory, boolean force) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, Long> counters() {
            return Map.of();
        }
    }
}
