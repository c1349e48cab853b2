package org.volumedriver.quobyte;

import org.volumedriver.spi.VolumeDriverException;

/**
 * The FUSE connection recorded for a mount directory is not the one mounted there now: the
 * directory was remounted behind the driver's back. The driver neither aborts nor unmounts a
 * mount it did not make; an administrator decides. Code {@value #CODE}.
 */
public class ConnectionMismatchException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    /** The stable code. */
    public static final String CODE = "CONNECTION_MISMATCH";

    private final String mountDirectory;
    private final long recorded;
    private final long mounted;

    /**
     * @param mountDirectory the mount directory
     * @param recorded the connection the driver recorded when it made or adopted the mount
     * @param mounted the connection the mount table shows there now
     */
    public ConnectionMismatchException(String mountDirectory, long recorded, long mounted) {
        super(CODE, "mount " + mountDirectory + " was remounted behind this driver's back (FUSE connection " + recorded
                + (recorded == mounted ? " recorded, its number now serves another mount" : " recorded, " + mounted + " mounted now")
                + "); nothing was aborted or unmounted: unmount it by hand if it is not needed");
        this.mountDirectory = mountDirectory;
        this.recorded = recorded;
        this.mounted = mounted;
    }

    /** @return the mount directory */
    public String mountDirectory() {
        return mountDirectory;
    }

    /** @return the connection the driver recorded */
    public long recorded() {
        return recorded;
    }

    /** @return the connection mounted there now */
    public long mounted() {
        return mounted;
    }
}
