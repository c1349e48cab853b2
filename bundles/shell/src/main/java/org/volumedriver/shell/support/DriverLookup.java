package org.volumedriver.shell.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDrivers;

/**
 * Finds volume drivers by {@code driver_volume_type} for the commands, through the
 * {@link VolumeDrivers} service only: the shell picks exactly the driver the attach flow picks.
 */
public final class DriverLookup {

    /** The short name of the {@link VolumeDrivers} service in the "service unavailable" line. */
    public static final String REGISTRY = "volume driver registry";

    private final VolumeDrivers registry;

    private DriverLookup(VolumeDrivers registry) {
        this.registry = registry;
    }

    /**
     * @param registry the {@link VolumeDrivers} service, or {@code null} if it is not registered
     * @return a lookup through it
     * @throws ServiceUnavailableException if it is {@code null}
     */
    public static DriverLookup of(VolumeDrivers registry) {
        return new DriverLookup(ServiceUnavailableException.require(registry, REGISTRY));
    }

    /**
     * @return the types with a driver now, sorted
     */
    public SortedSet<String> types() {
        return new TreeSet<>(registry.types());
    }

    /**
     * @param type a {@code driver_volume_type}
     * @return its driver
     * @throws UnknownDriverException if there is none; it lists the available types
     */
    public VolumeDriver driver(String type) throws UnknownDriverException {
        return registry.driver(type);
    }

    /**
     * @param info connection info
     * @return the driver for its {@code driver_volume_type}
     * @throws UnknownDriverException if there is none
     */
    public VolumeDriver driverFor(ConnectionInfo info) throws UnknownDriverException {
        return driver(info.driverVolumeType());
    }

    /**
     * @return every driver, by type
     */
    public Map<String, VolumeDriver> drivers() {
        Map<String, VolumeDriver> byType = new TreeMap<>();
        for (String type : types()) {
            try {
                byType.put(type, driver(type));
            } catch (UnknownDriverException e) {
                // the driver left between the two calls: it has nothing to show any more
            }
        }
        return byType;
    }

    /**
     * @param type a type to restrict to, or empty for all drivers
     * @return the mounts of the chosen drivers, by driver type then mount directory
     * @throws UnknownDriverException if a type was given and has no driver
     */
    public List<MountStatus> mounts(Optional<String> type) throws UnknownDriverException {
        List<MountStatus> all = new ArrayList<>();
        if (type.isPresent()) {
            all.addAll(driver(type.get()).mounts());
        } else {
            for (VolumeDriver driver : drivers().values()) {
                all.addAll(driver.mounts());
            }
        }
        all.sort((a, b) -> {
            int byType = a.driverType().compareTo(b.driverType());
            return byType != 0 ? byType : a.mountDirectory().compareTo(b.mountDirectory());
        });
        return Collections.unmodifiableList(all);
    }
}
