package org.volumedriver.testsupport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDrivers;

/**
 * An in-memory {@link VolumeDrivers} over a fixed list of drivers: the first driver of a type wins
 * (standing in for the highest service ranking), an unknown type lists the available ones.
 */
public final class FakeVolumeDrivers implements VolumeDrivers {

    private final Map<String, VolumeDriver> byType = new LinkedHashMap<>();

    /**
     * @param drivers the drivers, in order of preference
     */
    public FakeVolumeDrivers(List<? extends VolumeDriver> drivers) {
        for (VolumeDriver driver : drivers) {
            byType.putIfAbsent(driver.type(), driver);
        }
    }

    /**
     * @param drivers the drivers, in order of preference
     * @return a registry of them
     */
    public static FakeVolumeDrivers of(VolumeDriver... drivers) {
        return new FakeVolumeDrivers(List.of(drivers));
    }

    @Override
    public VolumeDriver driver(String type) throws UnknownDriverException {
        VolumeDriver driver = byType.get(type);
        if (driver == null) {
            throw new UnknownDriverException(type, types());
        }
        return driver;
    }

    @Override
    public SortedSet<String> types() {
        return new TreeSet<>(byType.keySet());
    }
}
