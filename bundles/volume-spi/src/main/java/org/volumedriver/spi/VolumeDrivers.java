package org.volumedriver.spi;

import java.util.SortedSet;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The registry of volume drivers, kept current as driver services come and go.
 *
 * <p>Drivers are OSGi services registered under {@link VolumeDriver} with the service property
 * {@value VolumeDriver#TYPE_PROPERTY}. A driver bundle can be installed,
 * updated or removed while callers run; a lookup always sees the drivers registered at that moment.
 * When two services claim the same type, the one with the highest service ranking wins.
 */
@ProviderType
public interface VolumeDrivers {

    /**
     * Finds the driver for a {@code driver_volume_type}.
     *
     * @param type the {@code driver_volume_type}, compared exactly
     * @return the driver registered for that type now
     * @throws UnknownDriverException if none is registered; it lists the available types
     */
    VolumeDriver driver(String type) throws UnknownDriverException;

    /**
     * @return the types with a registered driver now, sorted; an immutable snapshot
     */
    SortedSet<String> types();
}
