package org.volumedriver.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A volume driver: makes a volume reachable on this host for one attachment, describes the disk it
 * provides, and gives it up again.
 *
 * <p>Drivers are OSGi services with the service property {@value #TYPE_PROPERTY} set to the
 * {@code driver_volume_type} they serve; callers pick a driver by that property. Implementations
 * must be thread-safe, validate all input before creating or running anything, and make repeated
 * connects and disconnects of the same attachment harmless.
 *
 * <p>Since 1.2 a driver can also be reconciled with the hypervisor, which is the truth about which
 * guests use which volume files: {@link #ownerOf(Path)} says whether a guest's disk source is one
 * of its volume files, {@link #adopt} records an attachment found in a guest but not in the
 * driver's records, and {@link #release} gives up a recorded attachment that no guest uses. The
 * defaults say "not mine" and "not supported", so a driver written against 1.1 keeps working and is
 * only reported, never changed, by a reconciliation.
 *
 * <p>Since 1.3, for operations on attached volumes (assisted snapshots): {@link #inspectImage}
 * tells what a file in a volume's mount directory is (format, sizes, direct backing file), and
 * {@link #follow} moves a recorded attachment to the file a guest's disk was switched to. The
 * defaults answer "not supported".
 */
@ConsumerType
public interface VolumeDriver {

    /** The service property naming the {@code driver_volume_type} a driver serves. */
    String TYPE_PROPERTY = "volume.driver.type";

    /**
     * @return the {@code driver_volume_type} this driver serves
     */
    String type();

    /**
     * Checks connection info completely without side effects: nothing is created, mounted or run.
     *
     * @param info the connection info
     * @throws VolumeDriverException the typed reason it would be refused
     */
    void validate(ConnectionInfo info) throws VolumeDriverException;

    /**
     * Makes the volume available for an attachment (mounting its export if this is the first user)
     * and describes the disk.
     *
     * @param info the connection info
     * @param attachment the attachment; its volume must equal the connection info's {@code name}
     * @return the disk, without target; the caller adds target dev and bus
     * @throws VolumeDriverException the typed failure; nothing is left half done
     */
    DiskSpec connect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException;

    /**
     * Gives up an attachment, unmounting the export after its last attachment.
     *
     * @param info the connection info
     * @param attachment the attachment
     * @return what happened to the mount
     * @throws VolumeDriverException the typed failure
     */
    DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException;

    /**
     * Describes the disk for connection info without connecting it.
     *
     * @param info the connection info
     * @return the disk, without target
     * @throws VolumeDriverException if the connection info is refused
     */
    DiskSpec describeDisk(ConnectionInfo info) throws VolumeDriverException;

    /**
     * @return the mounts this driver manages, with state and attachments, for administrators
     */
    List<MountStatus> mounts();

    /**
     * Whether this driver counts an attachment now. Callers use it on their hot paths, so drivers
     * answer from their own records (no probe, no process); the default asks {@link #mounts()},
     * which may probe every mount.
     *
     * @param attachment the attachment
     * @return {@code true} if a connect of it is recorded and not yet disconnected
     */
    default boolean isAttached(Attachment attachment) {
        return mounts().stream().anyMatch(m -> m.attachments().contains(attachment));
    }

    /**
     * Probes one managed mount and heals it if it is stale.
     *
     * @param mountDirectory the absolute mount directory, as listed by {@link #mounts()}
     * @param force heal even if attachments still use the mount
     * @return the state after the heal
     * @throws VolumeDriverException the typed failure, for example {@link StaleMountInUseException}
     */
    MountStatus heal(String mountDirectory, boolean force) throws VolumeDriverException;

    /**
     * Counts since the driver started; none ever decreases while it runs, so monitoring exports
     * them as counters. Current levels (mounts now, attachments now) are what {@link #mounts()}
     * reports, not counters.
     *
     * @return the driver's counters (mounts, unmounts, heals, failures by reason, ...) by name
     */
    Map<String, Long> counters();

    /**
     * Tells whether a guest's disk source is one of this driver's volume files, and where.
     *
     * <p>The source comes from a domain definition, which whoever defined the domain chose: it is
     * hostile input. The caller has already refused sources that are not absolute, hold a
     * {@code ..} component or a control character, or belong to a disk that is not of type
     * {@code file}, and has normalized the rest lexically ({@code .} and empty components
     * removed). Everything else is the driver's to check, and its answer is final:
     * <ul>
     * <li>{@link Optional#empty()}: the path is not below this driver's mount base (compared by
     * path components, never as a string prefix); the caller asks the other drivers.</li>
     * <li>a location: the path is exactly {@code <base>/<mount directory>/<volume file>}; the mount
     * directory is mounted now with this driver's file system type; no component from the base
     * down is a symlink and the volume file, if it exists, is no symlink, so that the path cannot
     * lead outside the mount directory; the name matches the driver's volume-name pattern. The
     * answer's {@link VolumeLocation#path()} equals the source, otherwise the caller refuses it.</li>
     * <li>a {@link VolumeDriverException} (typically {@link UnsafePathException} or
     * {@link MountUnhealthyException}): the path is below the base but fails one of these checks;
     * the caller reports the reason and adopts nothing.</li>
     * </ul>
     * Side-effect free: nothing is mounted, created or run; the driver may read its mount table and
     * {@code lstat} paths, bounded in time as its health probe is (a stale mount must not hang the
     * caller).
     *
     * @param source an absolute, lexically normalized disk source path
     * @return where the volume file is, if the path is this driver's
     * @throws VolumeDriverException if the path is below this driver's base but refused
     * @since 1.2
     */
    default Optional<VolumeLocation> ownerOf(Path source) throws VolumeDriverException {
        return Optional.empty();
    }

    /**
     * Records an attachment that the hypervisor shows (a guest's disk is this volume file) but the
     * driver's records do not: after a lost journal, a crash between a mount and its journal entry,
     * or a guest attached by another tool.
     *
     * <p>The driver checks the location again exactly as {@link #ownerOf(Path)} does (it never
     * trusts the caller) and requires {@code attachment.volume()} to equal
     * {@code where.volume()}. It then records and journals the attachment as a connect would, so
     * that it counts for the last-disconnect rule. A mount directory the driver has no record of
     * is adopted as it is found (counted under its mount limit, no mount command run) only if it
     * passes the health probe; otherwise {@link MountUnhealthyException} and nothing is recorded.
     * Idempotent: an attachment already recorded changes nothing. The attachment is given up by a
     * disconnect with connection info naming the same volume and instance, or by
     * {@link #release}.
     *
     * @param where the volume file, as {@link #ownerOf(Path)} answered it
     * @param attachment the attachment; its instance is the domain UUID ({@link GuestRef#uuid()})
     * @return {@code true} if the attachment was recorded now, {@code false} if it already was
     * @throws OperationNotSupportedException if the driver does not support adoption (the default)
     * @throws VolumeDriverException the typed refusal; nothing was recorded
     * @since 1.2
     */
    default boolean adopt(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        throw new OperationNotSupportedException(type(), "adopt");
    }

    /**
     * Gives up a recorded attachment that no guest uses (drift found by a reconciliation), by
     * location, because no connection info is at hand for it. Otherwise exactly a
     * {@link #disconnect}: after the last attachment the export is unmounted, unless it is busy or
     * a guest still uses it.
     *
     * @param where a mount directory of this driver, as {@link #mounts()} lists it, and the volume
     * @param attachment the recorded attachment; its volume equals {@code where.volume()}
     * @return what happened to the mount; {@link DisconnectOutcome#NOT_ATTACHED} if the attachment
     *         is not recorded there
     * @throws OperationNotSupportedException if the driver does not support it (the default)
     * @throws VolumeDriverException the typed failure
     * @since 1.2
     */
    default DisconnectOutcome release(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        throw new OperationNotSupportedException(type(), "release");
    }

    /**
     * Inspects a volume file in the mount directory of a connection info's export, for a caller
     * that is about to hand it (or a chain ending in it) to the hypervisor.
     *
     * <p>{@code file} is checked exactly like {@code data.name} (the driver's volume-name pattern;
     * no {@code /}, no {@code ..}). The export must be mounted by this driver now, otherwise
     * {@link MountUnhealthyException}; the file must exist and be a regular file, not a symlink.
     * The format comes from the header (the qcow2 magic means qcow2, anything else raw), never
     * from the connection info's {@code format}; a qcow2 file gets the driver's full inspection:
     * a backing chain inside the directory with names matching the pattern, no external data
     * file, no unknown incompatible feature, otherwise {@link UnsafeImageException}.
     * Side-effect free, and bounded in time like {@link #ownerOf(Path)}: a stale mount must not
     * hang the caller.
     *
     * @param info the connection info whose export holds the file (its {@code name} need not be
     *        {@code file})
     * @param file a volume file name in the mount directory
     * @return what the header says
     * @throws OperationNotSupportedException if the driver does not support it (the default)
     * @throws VolumeDriverException the typed refusal
     * @since 1.3
     */
    default VolumeImage inspectImage(ConnectionInfo info, String file) throws VolumeDriverException {
        throw new OperationNotSupportedException(type(), "inspectImage");
    }

    /**
     * Moves a recorded attachment to another file of the same volume after a guest's disk was
     * switched to it (an assisted snapshot made it the new active file), or back to undo that.
     *
     * <p>The attachment {@code (from.volume(), attachment.instance())} recorded in mount directory
     * {@code from.mountDirectory()} becomes {@code (toVolume, attachment.instance())} there,
     * journaled like a connect, so that the last-disconnect rule, a restart and a reconciliation
     * see the new name. {@code attachment.volume()} must equal {@code from.volume()}; {@code
     * toVolume} is checked like {@code data.name}. Idempotent: if the attachment is already
     * recorded under {@code toVolume} and not under {@code from}, nothing changes.
     *
     * @param from the mount directory, as {@link #mounts()} lists it, and the recorded volume file
     * @param toVolume the volume file the guest uses now, in the same mount directory
     * @param attachment the recorded attachment
     * @return {@code true} if the attachment was moved, {@code false} if it was not recorded under
     *         {@code from} (nothing changed)
     * @throws OperationNotSupportedException if the driver does not support it (the default)
     * @throws VolumeDriverException the typed refusal; nothing changed
     * @since 1.3
     */
    default boolean follow(VolumeLocation from, String toVolume, Attachment attachment) throws VolumeDriverException {
        throw new OperationNotSupportedException(type(), "follow");
    }
}
