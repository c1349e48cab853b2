package org.volumedriver.libvirt;

import org.volumedriver.spi.VolumeDriverException;

/**
 * The files named do not fit the disk's backing chain as the operation needs: a new active file
 * whose backing is not the disk's current active file, files that are not adjacent, a chain on the
 * share that differs from libvirt's, a disk whose files lie outside the volume's mount directory.
 * Nothing was changed.
 */
public class ChainMismatchException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    /**
     * @param reason what does not fit, one line, values quoted safely by the caller
     */
    public ChainMismatchException(String reason) {
        super("CHAIN_MISMATCH", "backing chain mismatch: " + reason);
    }
}
