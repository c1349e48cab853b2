package org.volumedriver.spi;

/**
 * A mount is absent from the mount table, not a mount of the expected kind, or fails its health
 * probe.
 */
public class MountUnhealthyException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String mountDirectory;

    /**
     * @param mountDirectory the mount directory
     * @param reason what is wrong with it
     */
    public MountUnhealthyException(String mountDirectory, String reason) {
        super("MOUNT_UNHEALTHY", "mount " + mountDirectory + " is not healthy: " + reason);
        this.mountDirectory = mountDirectory;
    }

    /**
     * @return the mount directory
     */
    public String mountDirectory() {
        return mountDirectory;
    }
}
