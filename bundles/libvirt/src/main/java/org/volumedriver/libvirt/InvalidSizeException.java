package org.volumedriver.libvirt;

import org.volumedriver.spi.VolumeDriverException;

/**
 * A new size that cannot be given to the guest: not positive, smaller than the disk's capacity now
 * (volumes never shrink), or larger than the volume file holds (the storage side grows the file
 * first). Nothing was changed.
 */
public class InvalidSizeException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final long requestedBytes;

    /**
     * @param requestedBytes the size asked for
     * @param reason why it is refused, one line
     */
    public InvalidSizeException(long requestedBytes, String reason) {
        super("INVALID_SIZE", "size " + requestedBytes + " bytes refused: " + reason);
        this.requestedBytes = requestedBytes;
    }

    /** @return the size asked for, in bytes */
    public long requestedBytes() {
        return requestedBytes;
    }
}
