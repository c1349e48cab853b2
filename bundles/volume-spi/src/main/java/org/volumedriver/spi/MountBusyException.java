package org.volumedriver.spi;

/**
 * The kernel refused to unmount because the file system is in use (EBUSY).
 */
public class MountBusyException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String mountDirectory;

    /**
     * @param mountDirectory the mount directory that is busy
     */
    public MountBusyException(String mountDirectory) {
        super("MOUNT_BUSY", "mount " + mountDirectory + " is busy and stays mounted");
        this.mountDirectory = mountDirectory;
    }

    /**
     * @return the busy mount directory
     */
    public String mountDirectory() {
        return mountDirectory;
    }
}
