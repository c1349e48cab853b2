package org.volumedriver.spi;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A volume driver: makes a volume reachable on this host for one attachment, describes the disk it
 * provides, and gives it up again.
 *
 * <p>Drivers are OSGi services with the service property {@value #TYPE_PROPERTY} set to the
 * {@code driver_volume_type} they serve; callers pick a driver by that property. Implementations
 * must be thread-safe, validate all input before creating or running anything, and make repeated
 * connects and disconnects of the same attachment harmless.
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
     * @return the driver's counters (mounts, unmounts, heals, failures by reason, ...) by name
     */
    Map<String, Long> counters();
}
