package org.volumedriver.libvirt;

import org.osgi.annotation.versioning.ProviderType;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Operations on a volume that is attached to a running libvirt domain and that only the host can do
 * while the guest runs: the host side of an assisted snapshot (switch the guest to a new active
 * file, merge a file out of the chain), telling the guest that its volume grew, and reading the
 * disk's backing chain.
 *
 * <p>The disk is found in the domain by its serial, as the volume's driver describes it
 * ({@link org.volumedriver.spi.DiskSpec#serial()}), never by position; a driver that gives no
 * serial is matched by the source path. Every file name is one file in the volume's mount directory
 * and is checked by the driver ({@link org.volumedriver.spi.VolumeDriver#inspectImage}) before
 * anything changes. One operation per domain at a time (shared with attach and detach); an
 * operation on a disk with a running block job is refused. The package documentation states each
 * rule and what is undone on failure.
 */
@ProviderType
public interface AttachedVolumes {

    /**
     * Switches the running guest's disk to a new active file that the storage side created: a
     * qcow2 file in the same mount directory whose backing file is the disk's current active file.
     * A libvirt disk-only external snapshot that reuses the file and keeps no snapshot metadata;
     * quiesced through the guest agent where it answers, otherwise (or when the quiesced attempt
     * fails) taken again without quiescing.
     *
     * @param domain the libvirt domain name
     * @param info the volume's connection info; selects the driver and the mount directory
     * @param snapshotId the snapshot's UUID, for the log and the snapshot's name
     * @param newFile the new active file's name in the mount directory
     * @return the disk's chain afterwards (the new file first) and whether the guest was quiesced
     * @throws DiskNotFoundException if the running guest has no disk of this volume
     * @throws ChainMismatchException if the new file does not continue the disk's chain
     * @throws BlockJobActiveException if a block job runs on the disk
     * @throws org.volumedriver.spi.InvalidConnectionInfoException for a bad snapshot id or file
     *         name (field {@code snapshot_id}, {@code new_file}); {@link InvalidDiskSpecException}
     *         for a bad domain name
     * @throws org.volumedriver.spi.HypervisorException if libvirt refuses; the driver's record of
     *         the attachment is moved back
     * @throws VolumeDriverException any other typed refusal of the driver; nothing changed
     */
    SnapshotResult snapshotCreate(String domain, ConnectionInfo info, String snapshotId, String newFile)
            throws VolumeDriverException;

    /**
     * Merges one file out of the running guest's disk chain, by Nova's rule: without
     * {@code mergeTargetFile} the file between the active image and {@code fileToMerge} is pulled
     * into the active image ({@link MergeKind#REBASE}; {@code fileToMerge} becomes the active
     * image's backing file, or with {@code null} the active image keeps no backing file);
     * otherwise {@code fileToMerge} is committed into its direct backing file
     * {@code mergeTargetFile} ({@link MergeKind#COMMIT}). Waits, bounded, for the block job. The
     * merged-away file ({@link MergeResult#mergedAway()}) is left on the share: deleting it is the
     * storage side's job.
     *
     * @param domain the libvirt domain name
     * @param info the volume's connection info; selects the driver and the mount directory
     * @param fileToMerge REBASE: the file that becomes the active image's backing, {@code null}
     *        to pull everything; COMMIT: the file committed into its backing file
     * @param mergeTargetFile {@code null} for REBASE; COMMIT: {@code fileToMerge}'s direct backing
     *        file, which receives its data
     * @param progress told the block job's progress while it runs, or {@code null}
     * @return the chain afterwards and the file that left it
     * @throws DiskNotFoundException if the running guest has no disk of this volume
     * @throws ChainMismatchException if the files are not adjacent in the chain as the rule needs,
     *         or the files on the share disagree with libvirt's chain
     * @throws BlockJobActiveException if a block job already runs on the disk
     * @throws BlockJobFailedException if the block job failed or did not end within the bound (it
     *         is then aborted)
     * @throws VolumeDriverException any other typed refusal; nothing changed
     */
    MergeResult snapshotDelete(String domain, ConnectionInfo info, String fileToMerge, String mergeTargetFile,
            BlockJobProgress progress) throws VolumeDriverException;

    /**
     * Tells the running guest that its volume grew. The storage side has grown the disk's active
     * file already: its size (raw: the file size, qcow2: the virtual size) must be at least
     * {@code newSizeBytes}.
     *
     * @param domain the libvirt domain name
     * @param info the volume's connection info
     * @param newSizeBytes the new size in bytes
     * @return the guest's capacity before and after
     * @throws InvalidSizeException if the size is not positive, smaller than the guest's capacity
     *         now (a shrink), or larger than the file holds
     * @throws DiskNotFoundException if the running guest has no disk of this volume
     * @throws BlockJobActiveException if a block job runs on the disk
     * @throws VolumeDriverException any other typed refusal; nothing changed
     */
    ExtendResult extend(String domain, ConnectionInfo info, long newSizeBytes) throws VolumeDriverException;

    /**
     * Reads the disk's chain as libvirt has it: of the running guest, or of the persistent
     * definition when the domain does not run. Changes nothing.
     *
     * @param domain the libvirt domain name
     * @param info the volume's connection info
     * @return the chain, the active file first
     * @throws DiskNotFoundException if the domain has no disk of this volume
     * @throws VolumeDriverException any other typed refusal
     */
    DiskChain chain(String domain, ConnectionInfo info) throws VolumeDriverException;
}
