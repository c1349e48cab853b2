package org.volumedriver.shell.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.VolumeDriver;

/**
 * Finds volume drivers by {@code driver_volume_type} for the commands: through the libvirt bundle's
 * registry when it is there (so that the shell picks the same driver as the attach flow), otherwise
 * from the driver services themselves.
 */
public final class DriverLookup {

    private final VolumeDrivers registry;
    private final List<VolumeDriver> services;

    private DriverLookup(VolumeDrivers registry, List<VolumeDriver> services) {
        this.registry = registry;
        this.services = services == null ? List.of() : List.copyOf(services);
    }

    /**
     * @param registry the driver registry, or {@code null} if it is not registered
     * @param services the driver services, or {@code null} for none
     * @return a lookup that prefers the registry
     */
    public static DriverLookup of(VolumeDrivers registry, List<VolumeDriver> services) {
        return new DriverLookup(registry, services);
    }

    /**
     * @return the types with a driver now, sorted
     */
    public SortedSet<String> types() {
        if (registry != null) {
            return new TreeSet<>(registry.types());
        }
        SortedSet<String> types = new TreeSet<>();
        for (VolumeDriver driver : services) {
            types.add(driver.type());
        }
        return types;
    }

    /**
     * @param type a {@code driver_volume_type}
     * @return its driver
     * @throws UnknownDriverException if there is none; it lists the available types
     */
    public VolumeDriver driver(String type) throws UnknownDriverException {
        if (registry != null) {
            return registry.driver(type);
        }
        for (VolumeDriver driver : services) {
            if (driver.type().equals(type)) {
                return driver;
            }
        }
        throw new UnknownDriverException(type, types());
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
