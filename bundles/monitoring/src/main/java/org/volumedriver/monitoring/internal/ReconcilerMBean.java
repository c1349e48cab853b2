package org.volumedriver.monitoring.internal;

import java.util.List;
import java.util.function.Supplier;

import javax.management.MBeanException;
import javax.management.MBeanOperationInfo;
import javax.management.RuntimeOperationsException;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;

import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.libvirt.VolumeReconciler;

/**
 * {@code org.volumedriver:type=reconciler}: runs a reconciliation of the drivers' attachments with
 * libvirt ({@code reconcile(dryRun)}) and keeps the report of the last one run here
 * ({@code LastReport}); reading it never starts one.
 */
final class ReconcilerMBean extends OpenMBean {

    private static final String[] ROW_ITEMS = {"row", "action", "domainUuid", "domainName", "instance", "source", "driver",
        "mountDirectory", "volume", "reason"};
    private static final String[] REPORT_ITEMS = {"dryRun", "releaseOrphans", "libvirtReachable", "error", "domains", "started",
        "tookMillis", "rows"};

    static final CompositeType ROW;
    static final TabularType ROWS;
    static final CompositeType REPORT;

    static {
        try {
            OpenType<?>[] rowTypes = new OpenType<?>[ROW_ITEMS.length];
            rowTypes[0] = SimpleType.INTEGER;
            for (int i = 1; i < rowTypes.length; i++) {
                rowTypes[i] = SimpleType.STRING;
            }
            ROW = new CompositeType("reconcileRow", "One line of a reconciliation; a value that does not apply is empty", ROW_ITEMS,
                    new String[] {"the line's number, from 1", "ADOPTED, DRIFT_KEPT, DRIFT_RELEASED, UNTOUCHED, REJECTED or FAILED",
                        "the domain's UUID", "the domain's name", "the attachment's instance", "the disk source or the recorded file",
                        "the driver type", "the driver's mount directory", "the volume file name", "why"},
                    rowTypes);
            ROWS = new TabularType("reconcileRows", "The lines of a reconciliation", ROW, new String[] {"row"});
            REPORT = new CompositeType("reconcileReport", "The outcome of a reconciliation", REPORT_ITEMS,
                    new String[] {"whether it only decided", "whether confirmed drift is released by configuration",
                        "whether libvirt answered", "why libvirt could not be asked, empty when it answered", "domains read",
                        "when it began (ISO-8601)", "how long it took (ms)", "its lines"},
                    new OpenType<?>[] {SimpleType.BOOLEAN, SimpleType.BOOLEAN, SimpleType.BOOLEAN, SimpleType.STRING,
                        SimpleType.INTEGER, SimpleType.STRING, SimpleType.LONG, ROWS});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Supplier<VolumeReconciler> reconciler;
    private volatile CompositeData lastReport;

    /** @param reconciler the reconciler bound now, {@code null} when there is none */
    ReconcilerMBean(Supplier<VolumeReconciler> reconciler) {
        super(ReconcilerMBean.class.getName(), "Reconciliation of the drivers' attachments with libvirt");
        this.reconciler = reconciler;
        attribute("LastReport", "The report of the last reconciliation run through this MBean; null before the first",
                REPORT, () -> lastReport);
        operation("reconcile", "Reconciles the drivers' attachments with libvirt's domains; with dryRun nothing is changed",
                ROWS, MBeanOperationInfo.ACTION,
                List.of(new Parameter("dryRun", "decide and report everything, change nothing", SimpleType.BOOLEAN)),
                args -> reconcile((Boolean) args[0]));
    }

    private TabularData reconcile(Boolean dryRun) throws MBeanException, OpenDataException {
        if (dryRun == null) {
            throw new RuntimeOperationsException(new IllegalArgumentException(
                    OneLine.error("INVALID_ARGUMENT", "dryRun is required (true or false)")));
        }
        VolumeReconciler bound = reconciler.get();
        if (bound == null) {
            throw DriverMBean.failure(OneLine.error("SERVICE_UNAVAILABLE", "no reconciler is registered now"));
        }
        ReconcileReport report;
        try {
            report = bound.reconcile(dryRun);
        } catch (RuntimeException e) {
            throw DriverMBean.failure(OneLine.error("INTERNAL_ERROR", e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        CompositeData composite = report(report);
        lastReport = composite;
        return (TabularData) composite.get("rows");
    }

    static CompositeData report(ReconcileReport report) throws OpenDataException {
        return new CompositeDataSupport(REPORT, REPORT_ITEMS, new Object[] {report.dryRun(), report.releaseOrphans(),
            report.libvirtReachable(), OneLine.of(report.error()), report.domains(), report.started().toString(),
            report.took().toMillis(), rows(report.rows())});
    }

    static TabularData rows(List<ReconcileRow> rows) throws OpenDataException {
        TabularDataSupport table = new TabularDataSupport(ROWS);
        int n = 0;
        for (ReconcileRow r : rows) {
            table.put(new CompositeDataSupport(ROW, ROW_ITEMS, new Object[] {++n, r.action().name(), r.domainUuid(),
                r.domainName(), r.instance(), r.source(), r.driver(), r.mountDirectory(), r.volume(), OneLine.of(r.reason())}));
        }
        return table;
    }
}
