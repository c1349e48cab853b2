package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import org.junit.jupiter.api.Test;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.libvirt.VolumeReconciler;

/** The reconciler and executor MBeans in a real MBeanServer. */
class ReconcilerMBeanTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final List<Boolean> runs = new ArrayList<>();
    private final VolumeReconciler reconciler = dryRun -> {
        runs.add(dryRun);
        return new ReconcileReport(dryRun, false, true, null, 2, List.of(
                new ReconcileRow(ReconcileAction.ADOPTED, "uuid-1", "guest-1", "uuid-1", "/base/d/volume-a", "fake", "/base/d",
                        "volume-a", "in a guest, not recorded"),
                new ReconcileRow(ReconcileAction.DRIFT_KEPT, null, null, "instance-9", "/base/d/volume-b", "fake", "/base/d",
                        "volume-b", "recorded, in no guest\nsecond line password=hunter2")),
                Instant.parse("2026-01-02T03:04:05Z"), Duration.ofMillis(42));
    };

    @Test
    void reconcileReturnsTheRowsAndKeepsTheLastReport() throws Exception {
        ObjectName name = new ObjectName("org.volumedriver:type=reconciler");
        server.registerMBean(new ReconcilerMBean(() -> reconciler), name);
        assertNull(server.getAttribute(name, "LastReport"));
        assertEquals(List.of(), runs);

        TabularData rows = (TabularData) server.invoke(name, "reconcile", new Object[] {true}, new String[] {"boolean"});

        assertEquals(List.of(true), runs);
        assertEquals(2, rows.size());
        CompositeData first = rows.get(new Object[] {1});
        assertEquals("ADOPTED", first.get("action"));
        assertEquals("guest-1", first.get("domainName"));
        CompositeData second = rows.get(new Object[] {2});
        assertEquals("", second.get("domainUuid"));
        assertEquals("recorded, in no guest second line password=***", second.get("reason"));
        CompositeData report = (CompositeData) server.getAttribute(name, "LastReport");
        assertEquals(true, report.get("dryRun"));
        assertEquals(2, report.get("domains"));
        assertEquals(42L, report.get("tookMillis"));
        assertEquals("2026-01-02T03:04:05Z", report.get("started"));
        assertEquals(rows, report.get("rows"));
        assertEquals(List.of(true), runs, "reading LastReport runs nothing");
    }

    @Test
    void withoutAReconcilerTheOperationSaysSo() throws Exception {
        ObjectName name = new ObjectName("org.volumedriver:type=reconciler");
        server.registerMBean(new ReconcilerMBean(() -> null), name);
        MBeanException e = assertThrows(MBeanException.class,
                () -> server.invoke(name, "reconcile", new Object[] {false}, new String[] {"boolean"}));
        assertEquals("Error [SERVICE_UNAVAILABLE]: no reconciler is registered now", e.getMessage());
    }

    @Test
    void executorCommands() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        executor.statistics.put("umount", new CommandStatistics(3, 1, 0, 2, Duration.ofMillis(1500), Duration.ofMillis(900)));
        ObjectName name = new ObjectName("org.volumedriver:type=executor");
        server.registerMBean(new ExecutorMBean(() -> executor), name);
        CompositeData umount = ((TabularData) server.getAttribute(name, "Commands")).get(new Object[] {"umount"});
        assertEquals(3L, umount.get("runs"));
        assertEquals(1L, umount.get("failures"));
        assertEquals(0L, umount.get("timeouts"));
        assertEquals(2L, umount.get("rejected"));
        assertEquals(1500L, umount.get("totalMillis"));
        assertEquals(900L, umount.get("maxMillis"));
    }
}
