package org.volumedriver.spi;

/**
 * The export's mount is stale but guests still use it, so it is left alone; an administrator can
 * force a heal.
 */
public class StaleMountInUseException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String mountDirectory;
    private final int attachments;

    /**
     * @param mountDirectory the stale mount directory
     * @param attachments how many attachments use it
     */
    public StaleMountInUseException(String mountDirectory, int attachments) {
        super("STALE_MOUNT_IN_USE", "mount " + mountDirectory + " is stale and in use by " + attachments
                + " attachment(s); heal it with --force once the guests are safe");
        this.mountDirectory = mountDirectory;
        this.attachments = attachments;
    }

    /**
     * @return the stale mount directory
     */
    public String mountDirectory() {
        return mountDirectory;
    }

    /**
     * @return how many attachments use the mount
     */
    public int attachments() {
        return attachments;
    }
}
