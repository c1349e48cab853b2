package org.volumedriver.quobyte;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Administrative operations of the Quobyte driver, registered as an OSGi service by the same
 * component that registers the Quobyte {@link org.volumedriver.spi.VolumeDriver}.
 */
@ProviderType
public interface QuobyteAdmin {

    /** The {@code driver_volume_type} the Quobyte driver serves. */
    String DRIVER_TYPE = "quobyte";

    /**
     * @return whether mount commands run inside a transient systemd scope, and why
     */
    SystemdDecision systemdDecision();

    /**
     * Validates connection info exactly as a connect would, without creating, mounting or running
     * anything.
     *
     * @param info the connection info
     * @return where the volume would be mounted and found
     * @throws VolumeDriverException the typed reason it would be refused
     */
    ValidatedVolume validate(ConnectionInfo info) throws VolumeDriverException;

    /**
     * @return the configuration in force, key by key (configuration keys as in the metatype), with
     *         nothing secret in it
     */
    Map<String, String> configuration();

    /**
     * The driver's mounts as {@link org.volumedriver.spi.VolumeDriver#mounts()} lists them (probed
     * now), each with its FUSE connection and the requests its client has not answered. Heals
     * nothing and runs nothing.
     *
     * @return the mounts, sorted by mount directory
     * @since 1.1
     */
    List<QuobyteMount> mounts();

    /**
     * Probes one mount and heals it if it is stale, as
     * {@link org.volumedriver.spi.VolumeDriver#heal(String, boolean)} does, and tells each step.
     * A hung client's FUSE connection is aborted first, so that processes blocked on the old mount
     * (guests, backups, probes) get an error instead of hanging on.
     *
     * @param mountDirectory the mount directory, as listed
     * @param force heal even if attachments still use the mount
     * @return the status afterwards and the steps taken
     * @throws VolumeDriverException the typed failure, for example
     *         {@link org.volumedriver.spi.StaleMountInUseException} or
     *         {@link ConnectionMismatchException}
     * @since 1.1
     */
    HealReport heal(String mountDirectory, boolean force) throws VolumeDriverException;
}
