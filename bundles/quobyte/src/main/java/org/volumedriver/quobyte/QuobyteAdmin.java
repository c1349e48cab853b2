package org.volumedriver.quobyte;

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
}
