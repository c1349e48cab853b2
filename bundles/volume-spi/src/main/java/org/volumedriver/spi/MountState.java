package org.volumedriver.spi;

/**
 * The state of a driver-managed mount as administrators see it.
 */
public enum MountState {
    /** Mounted, of the expected kind, and its health probe passed. */
    HEALTHY,
    /** Mounted but the probe failed (dead or hung client, wrong root): needs a heal. */
    STALE,
    /** An unmount was refused because the file system is in use. */
    BUSY,
    /** Attachments are recorded but the export is not mounted. */
    NOT_MOUNTED
}
