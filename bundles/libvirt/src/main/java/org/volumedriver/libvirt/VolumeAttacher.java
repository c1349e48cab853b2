package org.volumedriver.libvirt;

import org.osgi.annotation.versioning.ProviderType;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Attaches volumes to libvirt domains and detaches them, through the driver registered for the
 * connection info's {@code driver_volume_type}.
 *
 * <p>Attach: find the driver, connect the volume, check and write the disk XML, then attach it with
 * libvirt. If anything after the connect fails, the volume is disconnected again before the error
 * is thrown. Detach: ask libvirt to remove the disk, wait (bounded) until the device is gone from
 * the domain, and only then disconnect the volume. The libvirt connection URI and the wait are
 * configuration.
 */
@ProviderType
public interface VolumeAttacher {

    /**
     * Connects a volume and attaches it to a domain.
     *
     * @param domain the libvirt domain name
     * @param info the connection info; selects the driver
     * @param attachment the attachment (volume file and instance) the driver counts
     * @param targetDev the guest device, for example {@code vdb}
     * @param targetBus the guest bus, for example {@code virtio}
     * @param mode live, persistent, or both
     * @return the attached disk
     * @throws org.volumedriver.spi.UnknownDriverException if no driver serves the type
     * @throws InvalidDiskSpecException if a disk value is outside the allowlists (volume disconnected)
     * @throws org.volumedriver.spi.HypervisorException if libvirt fails (volume disconnected), with
     *         libvirt's numeric error code
     * @throws VolumeDriverException any other typed failure of the driver
     */
    AttachResult attach(String domain, ConnectionInfo info, Attachment attachment, String targetDev, String targetBus,
            AttachMode mode) throws VolumeDriverException;

    /**
     * Detaches the volume's disk from a domain and disconnects the volume once the device is gone.
     * The disk is found in the domain by its source, as the driver describes it.
     *
     * @param domain the libvirt domain name
     * @param info the connection info; selects the driver
     * @param attachment the attachment to give up
     * @param mode live, persistent, or both
     * @return the outcome; {@link DetachOutcome#NOT_RELEASED} when the guest has not let go of the
     *         device within the bounded wait (not an error; the volume stays connected)
     * @throws org.volumedriver.spi.UnknownDriverException if no driver serves the type
     * @throws org.volumedriver.spi.HypervisorException if libvirt fails, with its numeric error code
     * @throws VolumeDriverException any other typed failure of the driver
     */
    DetachResult detach(String domain, ConnectionInfo info, Attachment attachment, AttachMode mode)
            throws VolumeDriverException;
}
