package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import javax.management.MBeanException;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The MBeans through Karaf's RMI connector with a login, as a remote JMX client (jconsole, a
 * fleet's collector) uses them: the admin login reads the Quobyte driver's mounts, attachments and
 * counters and the executor's commands, and heals a stale mount; a viewer-only login reads the
 * same attributes and is refused {@code heal} by Karaf's JMX ACL (SecurityException), which
 * leaves the mount as it was.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class JmxIT extends TelemetryTestSupport {

    static final String EXPORT = "registry-j.example.org:7861/jmx";
    static final String VOLUME = "volume-5a3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";
    static final String INSTANCE = "instance-jmx";

    @Test
    public void t01_bothLoginsReadTheMBeansWithoutMounts() throws Exception {
        for (String[] login : List.of(new String[] {ADMIN_USER, ADMIN_PASSWORD}, new String[] {VIEWER, VIEWER_PASSWORD})) {
            try (JMXConnector connector = jmx(login[0], login[1])) {
                MBeanServerConnection server = connector.getMBeanServerConnection();
                Set<ObjectName> names = server.queryNames(new ObjectName("org.volumedriver:*"), null);
                assertTrue(login[0] + " sees " + names, names.contains(new ObjectName(DRIVER_MBEAN))
                        && names.contains(new ObjectName(EXECUTOR_MBEAN)));
                assertNotNull(server.getAttribute(new ObjectName(DRIVER_MBEAN), "Mounts"));
                TabularData commands = (TabularData) server.getAttribute(new ObjectName(EXECUTOR_MBEAN), "Commands");
                assertNotNull(commands.get(new Object[] {"mount.quobyte"}));
            }
        }
    }

    @Test
    public void t02_aWrongPasswordIsRefused() throws Exception {
        try (JMXConnector connector = jmx(VIEWER, "not-" + VIEWER_PASSWORD)) {
            fail("connected with a wrong password");
        } catch (SecurityException e) {
            // refused by the JAAS login of the connector
        }
    }

    @Test
    public void t10_adminReadsAMountAndHealsIt_viewerIsRefusedHeal() throws Exception {
        requireRealMounts();
        String json = connectionInfo(EXPORT, VOLUME);
        connect(json, VOLUME, INSTANCE);
        String dir = onlyMountDirectory();
        ObjectName driver = new ObjectName(DRIVER_MBEAN);
        try (JMXConnector admin = jmx(ADMIN_USER, ADMIN_PASSWORD); JMXConnector viewer = jmx(VIEWER, VIEWER_PASSWORD)) {
            MBeanServerConnection asAdmin = admin.getMBeanServerConnection();
            MBeanServerConnection asViewer = viewer.getMBeanServerConnection();

            CompositeData mount = mountRow(asAdmin, dir);
            assertEquals("HEALTHY", mount.get("state"));
            assertEquals(1, ((Number) mount.get("attachments")).intValue());
            assertTrue(String.valueOf(mount.get("export")), String.valueOf(mount.get("export")).endsWith(EXPORT));
            TabularData attachments = (TabularData) asAdmin.getAttribute(driver, "Attachments");
            assertNotNull("attachment row: " + attachments.values(), attachments.get(new Object[] {dir, VOLUME, INSTANCE}));
            TabularData counters = (TabularData) asViewer.getAttribute(driver, "Counters");
            assertTrue("counters: " + counters.values(), !counters.isEmpty());
            for (Object row : counters.values()) {
                assertTrue(row.toString(), ((CompositeData) row).get("value") instanceof Long);
            }
            CompositeData mountQuobyte = (CompositeData) ((TabularData) asViewer.getAttribute(new ObjectName(EXECUTOR_MBEAN),
                    "Commands")).get(new Object[] {"mount.quobyte"});
            assertTrue("mount.quobyte ran: " + mountQuobyte, (Long) mountQuobyte.get("runs") >= 1);
            assertEquals("the viewer reads the same mount", "HEALTHY", mountRow(asViewer, dir).get("state"));

            killStandinDaemon(EXPORT);
            assertEquals("STALE", mountRow(asViewer, dir).get("state"));

            String[] signature = healSignature(asAdmin, driver);
            try {
                asViewer.invoke(driver, "heal", new Object[] {dir, Boolean.TRUE}, signature);
                fail("a viewer healed a mount");
            } catch (SecurityException e) {
                assertTrue(e.getMessage(), e.getMessage() != null && !e.getMessage().contains("\n"));
            }
            assertEquals("the refused heal changed nothing", "STALE", mountRow(asAdmin, dir).get("state"));

            try {
                asAdmin.invoke(driver, "heal", new Object[] {dir, Boolean.FALSE}, signature);
                fail("a stale mount in use was healed without force");
            } catch (MBeanException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("[STALE_MOUNT_IN_USE]"));
                assertTrue(e.getMessage(), !e.getMessage().contains("\n"));
            }
            CompositeData after = (CompositeData) asAdmin.invoke(driver, "heal", new Object[] {dir, Boolean.TRUE}, signature);
            assertEquals("HEALTHY", after.get("state"));
            assertEquals(dir, after.get("mountDirectory"));
            assertEquals("HEALTHY", mountRow(asViewer, dir).get("state"));
        }
        disconnect(json, VOLUME, INSTANCE);
        assertEquals(List.of(), sandboxMounts());
    }

    private static CompositeData mountRow(MBeanServerConnection server, String dir) throws Exception {
        TabularData mounts = (TabularData) server.getAttribute(new ObjectName(DRIVER_MBEAN), "Mounts");
        CompositeData row = mounts.get(new Object[] {dir});
        assertNotNull("a Mounts row for " + dir + " in " + mounts.values(), row);
        return row;
    }

    /** The signature heal is published with (MBeanInfo), as a generic client reads it. */
    private static String[] healSignature(MBeanServerConnection server, ObjectName name) throws Exception {
        List<String> found = new ArrayList<>();
        for (MBeanOperationInfo op : server.getMBeanInfo(name).getOperations()) {
            if (op.getName().equals("heal")) {
                return Arrays.stream(op.getSignature()).map(MBeanParameterInfo::getType).toArray(String[]::new);
            }
            found.add(op.getName());
        }
        fail("no heal operation in " + found);
        return null;
    }
}
