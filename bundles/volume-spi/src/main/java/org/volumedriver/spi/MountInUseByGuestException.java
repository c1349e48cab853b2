package org.volumedriver.spi;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A driver refused to unmount (a heal without force) because hypervisor guests still use files
 * under the mount, as {@link GuestUsage} reported, or because the guests could not be asked.
 * Nothing was changed.
 */
public class MountInUseByGuestException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private static final int NAMED = 5;

    private final String mountDirectory;
    private final List<GuestRef> guests;

    /**
     * @param mountDirectory the mount directory
     * @param guests the guests that use it; empty when they could not be asked
     */
    public MountInUseByGuestException(String mountDirectory, List<GuestRef> guests) {
        super("MOUNT_IN_USE_BY_GUEST", "mount " + mountDirectory + " stays: " + describe(guests));
        this.mountDirectory = mountDirectory;
        this.guests = List.copyOf(guests);
    }

    private static String describe(List<GuestRef> guests) {
        if (guests.isEmpty()) {
            return "the hypervisor could not be asked which guests use it";
        }
        String named = guests.stream().limit(NAMED).map(GuestRef::toString).collect(Collectors.joining(", "));
        return "in use by guest " + named + (guests.size() > NAMED ? " and " + (guests.size() - NAMED) + " more" : "");
    }

    /** @return the mount directory */
    public String mountDirectory() {
        return mountDirectory;
    }

    /** @return the guests that use the mount; empty when they could not be asked */
    public List<GuestRef> guests() {
        return guests;
    }
}
