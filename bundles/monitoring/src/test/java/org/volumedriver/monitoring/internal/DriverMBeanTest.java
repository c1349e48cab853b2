package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.RuntimeOperationsException;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.OpenMBeanAttributeInfo;
import javax.management.openmbean.OpenMBeanInfo;
import javax.management.openmbean.OpenMBeanOperationInfo;
import javax.management.openmbean.TabularData;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.MountState;
import org.volumedriver.testsupport.FakeVolumeDriver;

/** The driver MBean in a real MBeanServer, read and invoked as a JMX client does. */
class DriverMBeanTest {

    private static final String SECRET_EXPORT = "quobyte://operator:s3cr3t-pw@registry.example:7861/tenant-vol";
    private static final String OTHER_EXPORT = "quobyte://registry.example:7861/other";

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final FakeVolumeDriver fake = new FakeVolumeDriver("fake");
    private final ObjectName name = JmxNames.driver("fake");
    private volatile boolean registered = true;

    @BeforeEach
    void register() throws Exception {
        server.registerMBean(new DriverMBean("fake", type -> registered && type.equals("fake") ? Optional.of(fake) : Optional.empty()),
                name);
        fake.connect(info(SECRET_EXPORT, "volume-a"), new Attachment("volume-a", "instance-1"));
        fake.connect(info(SECRET_EXPORT, "volume-b"), new Attachment("volume-b", "instance-2"));
        fake.connect(info(OTHER_EXPORT, "volume-c"), new Attachment("volume-c", "instance-1"));
        fake.state(OTHER_EXPORT, MountState.STALE);
        fake.counters.put("mounts", 2L);
        fake.counters.put("heals", 0L);
    }

    private static ConnectionInfo info(String export, String volume) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "fake", "data", Map.of("export", export, "name", volume)));
    }

    @Test
    void theObjectNameIsTheDocumentedOne() throws Exception {
        assertEquals(new ObjectName("org.volumedriver:type=driver,name=fake"), name);
        assertEquals(new ObjectName("org.volumedriver:type=driver,name=\"a,b\""), JmxNames.driver("a,b"));
    }

    @Test
    void mountsWithRedactedExportsStatesAndAttachmentCounts() throws Exception {
        TabularData mounts = (TabularData) server.getAttribute(name, "Mounts");
        assertEquals(2, mounts.size());
        CompositeData secret = mounts.get(new Object[] {FakeVolumeDriver.directory(SECRET_EXPORT)});
        assertEquals("quobyte://***@registry.example:7861/tenant-vol", secret.get("export"));
        assertEquals("HEALTHY", secret.get("state"));
        assertEquals(2, secret.get("attachments"));
        assertEquals(FakeVolumeDriver.SINCE.toString(), secret.get("since"));
        CompositeData stale = mounts.get(new Object[] {FakeVolumeDriver.directory(OTHER_EXPORT)});
        assertEquals("STALE", stale.get("state"));
        assertEquals("stat failed: ENOTCONN", stale.get("detail"));
        assertFalse(mounts.toString().contains("s3cr3t"), mounts.toString());
    }

    @Test
    void attachmentsAndCounters() throws Exception {
        TabularData attachments = (TabularData) server.getAttribute(name, "Attachments");
        assertEquals(3, attachments.size());
        CompositeData row = attachments.get(new Object[] {FakeVolumeDriver.directory(SECRET_EXPORT), "volume-b", "instance-2"});
        assertEquals("volume-b", row.get("volume"));
        TabularData counters = (TabularData) server.getAttribute(name, "Counters");
        assertEquals(2L, counters.get(new Object[] {"mounts"}).get("value"));
        assertEquals(0L, counters.get(new Object[] {"heals"}).get("value"));
    }

    @Test
    void theMBeanInfoIsOpen() throws Exception {
        OpenMBeanInfo info = assertInstanceOf(OpenMBeanInfo.class, server.getMBeanInfo(name));
        assertEquals(List.of("Mounts", "Attachments", "Counters"),
                java.util.Arrays.stream(info.getAttributes()).map(a -> a.getName()).toList());
        for (var a : info.getAttributes()) {
            OpenMBeanAttributeInfo open = (OpenMBeanAttributeInfo) a;
            assertTrue(open.isReadable() && !open.isWritable() && !open.isIs(), a.getName());
            assertEquals("javax.management.openmbean.TabularData", a.getType());
        }
        OpenMBeanOperationInfo heal = (OpenMBeanOperationInfo) info.getOperations()[0];
        assertEquals("heal", heal.getName());
        assertEquals(List.of("java.lang.String", "java.lang.Boolean"),
                java.util.Arrays.stream(heal.getSignature()).map(p -> p.getType()).toList());
        assertEquals(DriverMBean.MOUNT, heal.getReturnOpenType());
    }

    @Test
    void healReturnsTheStateAfter() throws Exception {
        String dir = FakeVolumeDriver.directory(OTHER_EXPORT);
        CompositeData after = (CompositeData) server.invoke(name, "heal", new Object[] {dir, true},
                new String[] {"java.lang.String", "boolean"});
        assertEquals("HEALTHY", after.get("state"));
        assertEquals(dir, after.get("mountDirectory"));
        assertEquals(List.of("heal " + dir + " true"), fake.calls.stream().filter(c -> c.startsWith("heal")).toList());
    }

    @Test
    void aRefusedHealIsOneTypedLine() throws Exception {
        String dir = FakeVolumeDriver.directory(OTHER_EXPORT);
        MBeanException e = assertThrows(MBeanException.class,
                () -> server.invoke(name, "heal", new Object[] {dir, false}, new String[] {"java.lang.String", "java.lang.Boolean"}));
        assertTrue(e.getMessage().startsWith("Error [STALE_MOUNT_IN_USE]: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        // the cause is a JDK class, which a remote client without the bundle's classes can read
        assertEquals(IllegalStateException.class, e.getTargetException().getClass());
        assertEquals(e.getMessage(), e.getTargetException().getMessage());
        assertEquals("STALE", ((TabularData) server.getAttribute(name, "Mounts")).get(new Object[] {dir}).get("state"));
    }

    @Test
    void badArgumentsAreRefusedBeforeTheDriverIsAsked() {
        for (Object[] args : new Object[][] {{null, true}, {" ", true}, {"/base/x", null}}) {
            RuntimeOperationsException e = assertThrows(RuntimeOperationsException.class,
                    () -> server.invoke(name, "heal", args, new String[] {"java.lang.String", "boolean"}));
            assertTrue(e.getTargetException().getMessage().startsWith("Error [INVALID_ARGUMENT]: "), e.getTargetException().getMessage());
        }
        assertThrows(RuntimeOperationsException.class,
                () -> server.invoke(name, "heal", new Object[] {"/base/x", "yes"}, new String[] {"java.lang.String", "java.lang.String"}));
        assertThrows(RuntimeOperationsException.class, () -> server.invoke(name, "heal", new Object[] {"/base/x"}, new String[] {"java.lang.String"}));
        assertTrue(fake.calls.stream().noneMatch(c -> c.startsWith("heal")), fake.calls.toString());
    }

    @Test
    void aDriverThatIsGoneIsAnUnknownDriver() {
        registered = false;
        MBeanException e = assertThrows(MBeanException.class, () -> server.getAttribute(name, "Mounts"));
        assertEquals("Error [UNKNOWN_DRIVER]: no volume driver of type fake is registered now", e.getMessage());
    }

    @Test
    void attributesAreReadOnly() {
        assertThrows(javax.management.AttributeNotFoundException.class,
                () -> server.setAttribute(name, new javax.management.Attribute("Counters", null)));
    }
}
