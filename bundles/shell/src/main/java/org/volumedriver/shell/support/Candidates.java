package org.volumedriver.shell.support;

import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.UnknownDriverException;

/**
 * Values offered by tab completion and accepted by the list filters: driver types, exports (as
 * displayed, that is redacted), mount directories and instances, taken from what the drivers
 * report now.
 */
public final class Candidates {

    private Candidates() {
    }

    /**
     * @param lookup the drivers
     * @return the driver types
     */
    public static SortedSet<String> driverTypes(DriverLookup lookup) {
        return lookup.types();
    }

    /**
     * @param lookup the drivers
     * @param type the driver type to restrict to, or empty for all
     * @return the mount directories
     */
    public static SortedSet<String> mountDirectories(DriverLookup lookup, Optional<String> type) {
        return collect(lookup, type, MountStatus::mountDirectory);
    }

    /**
     * @param lookup the drivers
     * @return the exports as displayed (redacted by the drivers)
     */
    public static SortedSet<String> exports(DriverLookup lookup) {
        return exports(lookup, Optional.empty());
    }

    /**
     * @param lookup the drivers
     * @param type the driver type to restrict to, or empty for all
     * @return the exports as displayed (redacted by the drivers)
     */
    public static SortedSet<String> exports(DriverLookup lookup, Optional<String> type) {
        return collect(lookup, type, MountStatus::export);
    }

    /**
     * @param lookup the drivers
     * @return the instances with an attachment
     */
    public static SortedSet<String> instances(DriverLookup lookup) {
        SortedSet<String> instances = new TreeSet<>();
        for (MountStatus mount : mountsOrNone(lookup, Optional.empty())) {
            for (Attachment attachment : mount.attachments()) {
                instances.add(attachment.instance());
            }
        }
        return instances;
    }

    /**
     * @param mounts mounts to filter
     * @param export an export as displayed, or {@code null} for any
     * @param instance an instance, or {@code null} for any
     * @return the mounts that match both: with that export, and with an attachment of that instance
     */
    public static List<MountStatus> filter(List<MountStatus> mounts, String export, String instance) {
        return mounts.stream()
                .filter(m -> export == null || m.export().equals(export))
                .filter(m -> instance == null || m.attachments().stream().anyMatch(a -> a.instance().equals(instance)))
                .map(m -> instance == null ? m : onlyInstance(m, instance))
                .toList();
    }

    private static MountStatus onlyInstance(MountStatus mount, String instance) {
        return new MountStatus(mount.driverType(), mount.export(), mount.mountDirectory(), mount.state(),
                new TreeSet<>(mount.attachments().stream().filter(a -> a.instance().equals(instance)).toList()),
                mount.since(), mount.detail());
    }

    private static SortedSet<String> collect(DriverLookup lookup, Optional<String> type, Function<MountStatus, String> part) {
        SortedSet<String> values = new TreeSet<>();
        for (MountStatus mount : mountsOrNone(lookup, type)) {
            values.add(part.apply(mount));
        }
        return values;
    }

    private static List<MountStatus> mountsOrNone(DriverLookup lookup, Optional<String> type) {
        try {
            return lookup.mounts(type);
        } catch (UnknownDriverException e) {
            // completion offers nothing for a driver that is not there
            return List.of();
        }
    }
}
