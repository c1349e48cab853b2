package org.volumedriver.spi;

/**
 * A path the driver would create, use or mount onto is unsafe: a symlink, the wrong owner or mode,
 * not empty, or outside the directory it must stay in.
 */
public class UnsafePathException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String path;

    /**
     * @param path the path (never a secret)
     * @param reason what is wrong with it
     */
    public UnsafePathException(String path, String reason) {
        super("UNSAFE_PATH", "refusing " + path + ": " + reason);
        this.path = path;
    }

    /**
     * @return the refused path
     */
    public String path() {
        return path;
    }
}
