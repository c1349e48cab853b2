package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.VolumeReconciler;
import org.volumedriver.shell.internal.VolumeViews;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.ServiceUnavailableException;
import org.volumedriver.spi.VolumeDriverException;

/** {@code volume:reconcile}: the drivers' attachments against libvirt's domains. */
@Service
@Command(scope = "volume", name = "reconcile", description = "Reconciles the drivers' attachments with libvirt's domains: adopts "
        + "disks of guests that are not recorded, reports recorded attachments in no guest (released once confirmed if configured)")
public class ReconcileCommand extends DriverAction {

    @Reference(optional = true)
    VolumeReconciler reconciler;

    @Option(name = "--dry-run", description = "Decide and show everything, change nothing")
    boolean dryRun;

    @Option(name = "--no-format", description = "Plain tab-separated rows without summary or header")
    boolean noFormat;

    @Override
    protected void run() throws Exception {
        ReconcileReport report = ServiceUnavailableException.require(reconciler, "libvirt volume reconciler").reconcile(dryRun);
        if (!report.libvirtReachable()) {
            throw new VolumeDriverException("HYPERVISOR_ERROR", "libvirt unreachable, nothing changed: " + report.error());
        }
        if (!noFormat) {
            System.out.println(VolumeViews.reconcileSummary(report));
        }
        VolumeViews.reconcileRows(report.rows(), System.out, !noFormat);
    }
}
