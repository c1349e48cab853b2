package org.volumedriver.spi;

/**
 * A volume file whose content would let the guest or QEMU reach beyond it, for example a qcow2
 * image with an external data file or a backing file outside the volume's directory.
 */
public class UnsafeImageException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    /**
     * @param reason what makes the image unsafe
     */
    public UnsafeImageException(String reason) {
        super("UNSAFE_IMAGE", "volume image refused: " + reason);
    }
}
