package org.volumedriver.shell.support;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriverException;

/**
 * What a driver's own dry run finds for connection info, shown by {@code volume:validate} below its
 * {@code Valid: connection info for driver <type>} line instead of the generic fields (export,
 * volume, format).
 *
 * <p>A driver's command bundle registers it as an OSGi service; {@code volume:validate} uses the
 * one whose {@link #driverType()} is the type of the driver that has just accepted the connection
 * info, and the generic fields when there is none.
 */
@ConsumerType
public interface ValidationView {

    /**
     * @return the {@code driver_volume_type} this view describes
     */
    String driverType();

    /**
     * Validates without side effects and describes the result.
     *
     * @param info connection info the driver has accepted
     * @return the report's fields in order (see {@link Views#report}); anything that could carry a
     *         secret already redacted
     * @throws VolumeDriverException the typed reason the driver refuses the connection info
     */
    Map<String, String> fields(ConnectionInfo info) throws VolumeDriverException;
}
