package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.volumedriver.exec.internal.TestPrograms.script;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.volumedriver.spi.VolumeEvents;
import org.volumedriver.testsupport.RecordingEventAdmin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The bundle in a real OSGi framework (Felix, with Felix SCR and ConfigAdmin): it resolves, its DS
 * component registers the service and takes the shipped allowlist from ConfigAdmin, and configuration changes made
 * through ConfigAdmin reach the running component through {@code @Modified}, without
 * re-registering the service; a malformed change is refused and the previous one keeps working.
 *
 * <p>The API classes inside the framework come from the bundle's own class loader, so the test
 * talks to the service by reflection.
 */
class ExecutorOsgiTest {

    private static final String PID = "org.volumedriver.exec";
    private static final String DIR = "/srv/mnt/c94ed34ada0acf45c1213beb1fc52ce6";

    @TempDir
    Path dir;

    private Framework framework;
    private Bundle exec;
    private Bundle configAdmin;

    @BeforeEach
    void startFramework() throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, dir.resolve("felix-cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // logging from the test class path (slf4j-simple), as pax-logging would provide it in Karaf
        // and the telemetry APIs from the class path too, so that the test's services fit the bundle's imports
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.slf4j;version=2.0.16,"
                + "org.osgi.service.event;version=1.4.1,io.micrometer.core.instrument;version=1.16.8");
        config.put("ds.loglevel", "warn");
        framework = new FrameworkFactory().newFramework(config);
        framework.start();
        BundleContext ctx = framework.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        for (String location : bundleLocations()) {
            installed.add(ctx.installBundle(location));
        }
        for (Bundle b : installed) {
            b.start();
            if ("org.volumedriver.exec".equals(b.getSymbolicName())) {
                exec = b;
            }
            if ("org.apache.felix.configadmin".equals(b.getSymbolicName())) {
                configAdmin = b;
            }
        }
        assertNotNull(exec, "the executor bundle was installed");
        assertEquals(Bundle.ACTIVE, exec.getState());
    }

    @AfterEach
    void stopFramework() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    /** The bundles from the test class path; this module's own bundle from target/classes (bnd's manifest). */
    private static List<String> bundleLocations() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> wanted = List.of("org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component",
                "org.apache.felix.scr",
                "org.apache.felix.configadmin", "jackson-core", "jackson-annotations", "jackson-databind",
                "volume-spi", "volumedriver-spi");
        List<String> locations = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            String name = path.getFileName().toString();
            String owner = path.getParent() == null || path.getParent().getParent() == null ? ""
                    : path.getParent().getParent().getFileName().toString();
            boolean wantedJar = wanted.stream().anyMatch(w -> name.startsWith(w + "-") && name.endsWith(".jar"));
            boolean spiClasses = name.equals("classes") && owner.equals("volume-spi");
            if (wantedJar || spiClasses) {
                locations.add(Files.isDirectory(path) ? "reference:file:" + path : path.toUri().toString());
            }
        }
        Path own = Path.of("target", "classes").toAbsolutePath();
        assertTrue(Files.exists(own.resolve("META-INF/MANIFEST.MF")), "bnd wrote the manifest to " + own);
        locations.add("reference:file:" + own);
        return locations;
    }

    @Test
    void configAdminChangesReachTheRunningComponent() throws Exception {
        BundleContext ctx = framework.getBundleContext();
        ServiceReference<?> ref = awaitService("org.volumedriver.exec.CommandExecutor");
        Object service = ctx.getService(ref);
        Object serviceId = ref.getProperty(Constants.SERVICE_ID);
        assertEquals(List.of(), names(service), "no configuration: no command");
        Hashtable<String, Object> props = new Hashtable<>(ShippedAllowlist.properties());
        update(props);
        await(() -> names(service).contains("mount.quobyte"), "shipped allowlist in force");
        assertTrue(names(service).contains("mount.quobyte"), "shipped allowlist: " + names(service));

        Path first = script(dir, "first", "echo first");
        Path second = script(dir, "second", "echo second");
        props.put("command.umount.executable", first.toString());
        update(props);
        await(() -> first.toString().equals(executable(service, "umount")), "first executable in force");
        assertEquals("first\n", stdout(run(service, "umount", "--no-canonicalize", DIR)));
        assertEquals("first\n", stdout(run(service, "umount", "--no-canonicalize", "-l", DIR)));

        props.put("command.umount.executable", second.toString());
        props.put("command.umount.forms", "--no-canonicalize {mountdir}");
        update(props);
        await(() -> second.toString().equals(executable(service, "umount")), "second executable in force");
        assertEquals("second\n", stdout(run(service, "umount", "--no-canonicalize", DIR)));
        assertEquals("org.volumedriver.spi.CommandRejectedException", failure(service, "umount", "--no-canonicalize", "-l", DIR),
                "the lazy form was removed");

        // a malformed change is refused: the previous configuration keeps running
        props.put("command.umount.executable", first.toString());
        props.put("max.concurrent", 0);
        update(props);
        Thread.sleep(500);
        assertEquals(second.toString(), executable(service, "umount"));
        assertEquals("second\n", stdout(run(service, "umount", "--no-canonicalize", DIR)));

        ServiceReference<?> after = awaitService("org.volumedriver.exec.CommandExecutor");
        assertEquals(serviceId, after.getProperty(Constants.SERVICE_ID), "the service was never re-registered");
        assertSame(service, ctx.getService(after), "the same component instance");
        assertEquals(Bundle.ACTIVE, exec.getState());
    }

    @Test
    void eventAdminAndMeterRegistryComeAndGoWhileTheComponentRuns() throws Exception {
        BundleContext ctx = framework.getBundleContext();
        ServiceReference<?> ref = awaitService("org.volumedriver.exec.CommandExecutor");
        Object service = ctx.getService(ref);
        Object serviceId = ref.getProperty(Constants.SERVICE_ID);
        Hashtable<String, Object> props = new Hashtable<>(ShippedAllowlist.properties());
        props.put("command.umount.executable", script(dir, "hang", "sleep 20").toString());
        update(props);
        await(() -> executable(service, "umount") != null && executable(service, "umount").endsWith("/hang"), "hang in force");
        assertTrue(timedOut(run(service, Duration.ofMillis(200), "umount", "--no-canonicalize", DIR)), "no services: still runs");

        RecordingEventAdmin events = new RecordingEventAdmin();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ServiceRegistration<?> eventAdmin = ctx.registerService(EventAdmin.class.getName(), events, null);
        ServiceRegistration<?> registry = ctx.registerService(MeterRegistry.class.getName(), meters, null);
        assertTrue(timedOut(run(service, Duration.ofMillis(200), "umount", "--no-canonicalize", DIR)));
        List<Event> posted = events.posted();
        assertEquals(1, posted.size(), "one event: " + posted);
        assertEquals(VolumeEvents.EXECUTOR_TIMED_OUT, posted.get(0).getTopic());
        assertEquals("umount", posted.get(0).getProperty(VolumeEvents.COMMAND));
        assertEquals(1.0, meters.get("volumedriver.command.runs").tags("command", "umount", "outcome", "timeout").counter().count());
        assertEquals(1, meters.get("volumedriver.command").tags("command", "umount").timer().count());

        eventAdmin.unregister();
        registry.unregister();
        assertTrue(timedOut(run(service, Duration.ofMillis(200), "umount", "--no-canonicalize", DIR)));
        assertEquals(1, events.posted().size(), "nothing posted after the unregistration");
        assertEquals(1.0, meters.get("volumedriver.command.runs").tags("command", "umount", "outcome", "timeout").counter().count());
        assertEquals(serviceId, awaitService("org.volumedriver.exec.CommandExecutor").getProperty(Constants.SERVICE_ID),
                "the services came and went without re-registering the executor");
        assertSame(service, ctx.getService(awaitService("org.volumedriver.exec.CommandExecutor")), "the same component instance");
    }

    private ServiceReference<?> awaitService(String name) throws Exception {
        for (int i = 0; i < 200; i++) {
            // all references: the test's own class path has other copies of these classes, so the
            // assignability filter of getServiceReference would hide them
            ServiceReference<?>[] refs = framework.getBundleContext().getAllServiceReferences(name, null);
            if (refs != null && refs.length > 0) {
                return refs[0];
            }
            Thread.sleep(50);
        }
        StringBuilder states = new StringBuilder();
        for (Bundle b : framework.getBundleContext().getBundles()) {
            states.append(b.getSymbolicName()).append('=').append(b.getState()).append(' ');
        }
        fail("no " + name + " service; bundles: " + states);
        return null;
    }

    private void update(Hashtable<String, Object> props) throws Exception {
        BundleContext ctx = framework.getBundleContext();
        ServiceReference<?> ref = awaitService("org.osgi.service.cm.ConfigurationAdmin");
        Object cm = ctx.getService(ref);
        Class<?> cmType = configAdmin.loadClass("org.osgi.service.cm.ConfigurationAdmin");
        Object configuration = cmType.getMethod("getConfiguration", String.class, String.class).invoke(cm, PID, "?");
        Class<?> configType = configAdmin.loadClass("org.osgi.service.cm.Configuration");
        configType.getMethod("update", Dictionary.class).invoke(configuration, new Hashtable<>(props));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(25);
        }
        fail("timed out waiting for: " + what);
    }

    private List<?> allowlist(Object service) {
        return (List<?>) call(service, "allowlist");
    }

    private List<String> names(Object service) {
        return allowlist(service).stream().map(d -> (String) call(d, "name")).toList();
    }

    private String executable(Object service, String name) {
        return allowlist(service).stream().filter(d -> name.equals(call(d, "name")))
                .map(d -> (String) call(d, "executable")).findFirst().orElse(null);
    }

    private Object run(Object service, String command, String... args) throws Exception {
        return run(service, Duration.ofSeconds(10), command, args);
    }

    private Object run(Object service, Duration timeout, String command, String... args) throws Exception {
        Class<?> requestType = exec.loadClass("org.volumedriver.exec.CommandRequest");
        Object request = requestType.getMethod("of", String.class, Duration.class, String[].class)
                .invoke(null, command, timeout, args);
        Class<?> executorType = exec.loadClass("org.volumedriver.exec.CommandExecutor");
        return executorType.getMethod("run", requestType).invoke(service, request);
    }

    private String failure(Object service, String command, String... args) throws Exception {
        try {
            run(service, command, args);
            return "none";
        } catch (InvocationTargetException e) {
            return e.getCause().getClass().getName();
        }
    }

    private static boolean timedOut(Object result) {
        return (Boolean) call(result, "timedOut");
    }

    private static String stdout(Object result) {
        return (String) call(result, "stdout");
    }

    private static Object call(Object target, String method) {
        try {
            Method m = target.getClass().getMethod(method);
            m.setAccessible(true);
            return m.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(method, e);
        }
    }
}
