/**
 * libvirt disk configuration and the attach/detach flow.
 *
 * <p>The bundle provides {@link org.volumedriver.spi.VolumeDrivers}, which finds the
 * {@link org.volumedriver.spi.VolumeDriver} registered for a {@code driver_volume_type};
 * {@link org.volumedriver.libvirt.DiskXmlService} turns a {@link org.volumedriver.spi.DiskSpec}
 * into a libvirt {@code <disk>} element after checking every value against configured allowlists;
 * {@link org.volumedriver.libvirt.VolumeAttacher} connects a volume through its driver and attaches
 * the disk to a libvirt domain (live, persistent, or both), and detaches it again.
 *
 * <p>Since 1.1, {@link org.volumedriver.libvirt.VolumeReconciler} reconciles the drivers' recorded
 * attachments with libvirt's domains ({@link org.volumedriver.libvirt.ReconcileReport},
 * {@link org.volumedriver.libvirt.ReconcileRow}, {@link org.volumedriver.libvirt.ReconcileAction}),
 * and the bundle provides the SPI's {@link org.volumedriver.spi.GuestUsage}, which the drivers ask
 * before they unmount.
 *
 * <p><b>Attached volumes (1.2).</b> {@link org.volumedriver.libvirt.AttachedVolumes} does the host's
 * part of an assisted snapshot (as Nova's {@code volume_snapshot_create} and
 * {@code volume_snapshot_delete} do for Cinder's file-based drivers), online extend, and reads a
 * disk's chain ({@link org.volumedriver.libvirt.DiskChain}, {@link org.volumedriver.libvirt.ChainLink}).
 * The rules:
 * <ul>
 * <li><i>Finding the disk.</i> By the serial of the driver's
 * {@link org.volumedriver.spi.VolumeDriver#describeDisk describeDisk} (every file of a volume's chain
 * has the volume's serial), never by position; for a driver without serials by the source path.
 * No such disk: {@link org.volumedriver.libvirt.DiskNotFoundException}. Every file of the disk's
 * chain must lie in the volume's mount directory, otherwise
 * {@link org.volumedriver.libvirt.ChainMismatchException}. A block job running on the disk:
 * {@link org.volumedriver.libvirt.BlockJobActiveException}. Snapshot, merge and extend need a
 * running guest (libvirt error 55 otherwise). One operation per domain at a time, shared with
 * attach and detach.</li>
 * <li><i>Snapshot create.</i> Checked before anything changes: domain name, snapshot id (a UUID),
 * the new file (by {@link org.volumedriver.spi.VolumeDriver#inspectImage inspectImage}: a qcow2 file
 * whose backing file is exactly the disk's current active file and whose declared backing format is
 * the active file's format; for a driver with serials, a file of the same volume), the disk and
 * the allowlists (qcow2 must be an allowed format). Then the driver's records follow the guest
 * first ({@link org.volumedriver.spi.VolumeDriver#follow follow} for each recorded attachment of the
 * volume whose instance is the domain's name or UUID), then libvirt switches the guest: a disk-only
 * external snapshot reusing the file, without snapshot metadata, every other disk excluded. It is
 * quiesced through the guest agent when the domain has an agent channel that libvirt does not report
 * disconnected; when the quiesced attempt fails, it is taken again without quiescing and
 * {@link org.volumedriver.libvirt.SnapshotResult#quiesced()} is {@code false} (crash-consistent, as
 * Nova does). If libvirt fails, the records follow back (undo) before the error is thrown; the
 * guest still uses its old file and the new file is untouched.</li>
 * <li><i>Snapshot delete</i> (Nova's rule). {@code mergeTargetFile == null}: a pull
 * ({@code virDomainBlockRebase}) of the active image with base {@code fileToMerge}; exactly one
 * file lies between them and is merged into the active image; {@code fileToMerge == null} (pull
 * everything) only when that file is the last of the chain. Otherwise a commit
 * ({@code virDomainBlockCommit}) of top {@code fileToMerge} into base {@code mergeTargetFile}, its
 * direct backing file; the active file is never a commit's top. Both keep relative backing names
 * (libvirt's {@code _RELATIVE} flags, as Nova). The chain on the share (inspected file by file) must
 * equal libvirt's chain. The job is waited for within {@code block.job.wait.ms} (default 10
 * minutes), its progress reported through {@link org.volumedriver.libvirt.BlockJobProgress}; a job
 * that ends without the expected chain, or is still running at the bound (then aborted), is a
 * {@link org.volumedriver.libvirt.BlockJobFailedException}. The merged-away file stays on the share
 * for the storage side to delete ({@link org.volumedriver.libvirt.MergeResult#mergedAway()}); the
 * active file, and so the driver's records, do not change.</li>
 * <li><i>Extend.</i> The active file must already hold the new size (raw: its file size, qcow2: its
 * virtual size) and the new size must not be below the guest's capacity now, otherwise
 * {@link org.volumedriver.libvirt.InvalidSizeException}; then {@code virDomainBlockResize} in
 * bytes.</li>
 * </ul>
 * The detach of {@link org.volumedriver.libvirt.VolumeAttacher} finds a disk whose guest was
 * switched to a newer file of the volume by its serial, and disconnects the attachment of the file
 * the disk uses.
 *
 * <p>Every failure is a typed {@link org.volumedriver.spi.VolumeDriverException}: a value outside an
 * allowlist is an {@link org.volumedriver.libvirt.InvalidDiskSpecException} (a format is an
 * {@link org.volumedriver.spi.UnsupportedFormatException}), a libvirt failure a
 * {@link org.volumedriver.spi.HypervisorException} carrying libvirt's numeric error code.
 */
@Export
@Version("1.2.0")
package org.volumedriver.libvirt;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
