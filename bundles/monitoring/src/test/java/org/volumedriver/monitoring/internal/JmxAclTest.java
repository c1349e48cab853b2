package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.security.auth.Subject;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.management.KarafMBeanServerGuard;
import org.apache.karaf.management.internal.MBeanInvocationHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.VolumeReconciler;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.testsupport.FakeVolumeDriver;
import org.volumedriver.testsupport.ShippedConfig;

/**
 * The shipped {@code etc/jmx.acl.org.volumedriver.cfg} applied by Karaf's own JMX guard
 * ({@link KarafMBeanServerGuard} of Karaf 4.4.10 behind its {@link MBeanInvocationHandler}, the way
 * the management feature wraps the MBeanServer), as it decides every remote JMX call: the PID from
 * the object name, the rule from the file, the roles of the caller's subject.
 */
class JmxAclTest {

    private static final String PID = "jmx.acl.org.volumedriver";
    private static final String EXPORT = "registry.example/vol";
    private static final String DIR = FakeVolumeDriver.directory(EXPORT);
    /** Karaf's own etc/jmx.acl.cfg as the management feature installs it. */
    private static final Map<String, Object> KARAF_DEFAULT = Map.of("list*", "viewer", "get*", "viewer", "is*", "viewer",
            "set*", "admin", "*", "admin");

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final Map<String, Map<String, Object>> configurations = new TreeMap<>();
    private final KarafMBeanServerGuard guard = new KarafMBeanServerGuard();
    /** The MBeanServer as Karaf hands it out: every call passes the guard first. */
    private final MBeanServer guarded = (MBeanServer) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {MBeanServer.class}, new MBeanInvocationHandler(server, guard));
    private final ObjectName driver = JmxNames.driver("quobyte");
    private final ObjectName executor = JmxNames.name(JmxNames.EXECUTOR);
    private final ObjectName reconciler = JmxNames.name(JmxNames.RECONCILER);

    @BeforeEach
    void setUp() throws Exception {
        FakeVolumeDriver fake = new FakeVolumeDriver("quobyte");
        fake.connect(ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte", "data",
                Map.of("export", EXPORT, "name", "volume-a"))), new Attachment("volume-a", "instance-1"));
        server.registerMBean(new DriverMBean("quobyte", t -> Optional.of(fake)), driver);
        server.registerMBean(new ExecutorMBean(FakeExecutor::new), executor);
        VolumeReconciler nothingToDo = dryRun -> new ReconcileReport(dryRun, false, true, "", 0, List.of(), Instant.EPOCH,
                Duration.ZERO);
        server.registerMBean(new ReconcilerMBean(() -> nothingToDo), reconciler);
        configurations.put("jmx.acl", KARAF_DEFAULT);
        configurations.put(PID, ShippedConfig.read(PID));
        guard.setConfigAdmin(configAdmin());
    }

    @Test
    void viewersReadEveryAttribute() {
        Subject viewer = subject("viewer");
        assertDoesNotThrow(() -> getAttribute(viewer, driver, "Mounts"));
        assertDoesNotThrow(() -> getAttribute(viewer, driver, "Attachments"));
        assertDoesNotThrow(() -> getAttribute(viewer, driver, "Counters"));
        assertDoesNotThrow(() -> getAttribute(viewer, executor, "Commands"));
        assertDoesNotThrow(() -> getAttribute(viewer, reconciler, "LastReport"));
    }

    @Test
    void viewersAreRefusedHealAndReconcile() {
        Subject viewer = subject("viewer");
        SecurityException e = assertThrows(SecurityException.class,
                () -> invoke(viewer, driver, "heal", new Object[] {DIR, true}, new String[] {"java.lang.String", "boolean"}));
        assertEquals("Insufficient roles/credentials for operation", e.getMessage());
        assertThrows(SecurityException.class,
                () -> invoke(viewer, reconciler, "reconcile", new Object[] {true}, new String[] {"boolean"}));
    }

    @Test
    void adminsMayHealAndReconcile() {
        Subject admin = subject("admin", "manager", "viewer", "systembundles", "ssh");
        assertDoesNotThrow(() -> invoke(admin, driver, "heal", new Object[] {DIR, false},
                new String[] {"java.lang.String", "java.lang.Boolean"}));
        assertDoesNotThrow(() -> invoke(admin, reconciler, "reconcile", new Object[] {false}, new String[] {"boolean"}));
        assertDoesNotThrow(() -> getAttribute(admin, driver, "Mounts"));
    }

    @Test
    void withoutARoleNothingIsReadable() {
        Subject nobody = subject();
        assertThrows(SecurityException.class, () -> getAttribute(nobody, driver, "Mounts"));
    }

    @Test
    void theShippedFileDecidesEvenWhenKarafsDefaultIsLoosened() {
        // an operator who opened etc/jmx.acl.cfg to viewers still keeps heal and reconcile for admins
        configurations.put("jmx.acl", Map.of("*", "viewer"));
        Subject viewer = subject("viewer");
        assertThrows(SecurityException.class,
                () -> invoke(viewer, driver, "heal", new Object[] {DIR, true}, new String[] {"java.lang.String", "boolean"}));
        assertThrows(SecurityException.class,
                () -> invoke(viewer, reconciler, "reconcile", new Object[] {true}, new String[] {"boolean"}));
        // and without the shipped file the loosened default would let the viewer heal
        configurations.remove(PID);
        assertDoesNotThrow(() -> invoke(viewer, driver, "heal", new Object[] {DIR, true}, new String[] {"java.lang.String", "boolean"}));
    }

    private Object getAttribute(Subject subject, ObjectName name, String attribute) throws Exception {
        return as(subject, () -> guarded.getAttribute(name, attribute));
    }

    private Object invoke(Subject subject, ObjectName name, String operation, Object[] args, String[] signature) throws Exception {
        return as(subject, () -> guarded.invoke(name, operation, args, signature));
    }

    private static Object as(Subject subject, PrivilegedExceptionAction<Object> call) throws Exception {
        try {
            return Subject.doAs(subject, call);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }

    private static Subject subject(String... roles) {
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal("someone"));
        for (String role : roles) {
            subject.getPrincipals().add(new RolePrincipal(role));
        }
        return subject;
    }

    /** ConfigAdmin as far as the guard asks it: list by PID filter, get by PID. */
    private ConfigurationAdmin configAdmin() {
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ConfigurationAdmin.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "listConfigurations" -> {
                        String filter = (String) args[0];
                        List<Configuration> found = configurations.keySet().stream()
                                .filter(pid -> filter.equals("(service.pid=jmx.acl*)") ? pid.startsWith("jmx.acl")
                                        : filter.equals("(service.pid=" + pid + ")"))
                                .map(this::configuration).toList();
                        yield found.isEmpty() ? null : found.toArray(Configuration[]::new);
                    }
                    case "getConfiguration" -> configuration((String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Configuration configuration(String pid) {
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getPid" -> pid;
                    case "getProperties" -> {
                        Map<String, Object> values = configurations.get(pid);
                        if (values == null) {
                            yield null;
                        }
                        Dictionary<String, Object> d = new Hashtable<>(values);
                        d.put("service.pid", pid);
                        yield d;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
