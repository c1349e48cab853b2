package org.volumedriver.libvirt;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reconciles the volume drivers' recorded attachments with libvirt, which is the truth about which
 * guests use which volume files (as Nova rebuilds its mount state from the guests' disks).
 *
 * <p>Every domain is read, running and defined (the running guest and the persistent definition).
 * Each {@code <disk type='file'>} source that is absolute, free of {@code ..} and control
 * characters is normalized lexically and offered to every driver
 * ({@link org.volumedriver.spi.VolumeDriver#ownerOf}); exactly one may claim it. Then:
 * <ul>
 * <li>in a guest, not recorded: the driver adopts it, with the domain UUID as instance
 * ({@link ReconcileAction#ADOPTED});</li>
 * <li>recorded, in no guest (no domain using the file has the attachment's instance as UUID or
 * name): drift, kept and reported, or, with {@code reconcile.release.orphans}, released through the
 * driver once two reconciliations in a row have found it and a fresh look at the domains still does
 * ({@link ReconcileAction#DRIFT_KEPT}, {@link ReconcileAction#DRIFT_RELEASED});</li>
 * <li>recorded and in a guest: {@link ReconcileAction#UNTOUCHED};</li>
 * <li>anything refused: {@link ReconcileAction#REJECTED}, nothing adopted.</li>
 * </ul>
 * Nothing is released while any domain could not be read. libvirt unreachable: the report says so
 * and nothing changes. One reconciliation runs at a time.
 */
@ProviderType
public interface VolumeReconciler {

    /**
     * @param dryRun decide and report everything, change nothing
     * @return the report; never throws for libvirt or driver failures, which are in the report
     */
    ReconcileReport reconcile(boolean dryRun);
}
