package org.volumedriver.quobyte.internal;

import java.util.Optional;

/**
 * The FUSE connection behind a mount: its device number from the mount table (field 3 of
 * {@code /proc/self/mountinfo}, {@code major:minor}), which is also the name of its directory in
 * the FUSE control file system, {@code /sys/fs/fuse/connections/<number>}. It must be taken while
 * the mount is still in the table: after a lazy unmount the line is gone (D4).
 *
 * @param major the device's major number (0 for FUSE's anonymous devices)
 * @param minor the device's minor number
 */
record FuseConnection(int major, int minor) {

    /**
     * @param device {@code major:minor}, as the mount table shows it
     * @return the connection, or empty if the text is not two decimal numbers within the kernel's ranges
     */
    static Optional<FuseConnection> parse(String device) {
        if (device == null || !device.matches("[0-9]{1,4}:[0-9]{1,7}")) {
            return Optional.empty();
        }
        int colon = device.indexOf(':');
        int major = Integer.parseInt(device.substring(0, colon));
        int minor = Integer.parseInt(device.substring(colon + 1));
        // the kernel's dev_t: 12 bits of major, 20 of minor
        return major < (1 << 12) && minor < (1 << 20) ? Optional.of(new FuseConnection(major, minor)) : Optional.empty();
    }

    /**
     * @param entry a mount table entry
     * @return its connection, or empty for a device number the kernel would never print
     */
    static Optional<FuseConnection> of(MountEntry entry) {
        return parse(entry.device());
    }

    /** @return the kernel's device number, the connection's directory name under {@code /sys/fs/fuse/connections} */
    long number() {
        return ((long) major << 20) | minor;
    }

    /** @return {@code major:minor}, as the mount table and the journal write it */
    String device() {
        return major + ":" + minor;
    }

    @Override
    public String toString() {
        return Long.toString(number());
    }
}
