package org.volumedriver.spi;

/**
 * What a disconnect (or a {@linkplain VolumeDriver#release release}) did. The attachment is gone in
 * every outcome; they differ in what happened to the mount.
 *
 * <p>Values may be added in minor versions (1.2 added {@link #KEPT_IN_USE_BY_GUEST}): a caller
 * that does not know an outcome must read it as "the mount stays".
 */
public enum DisconnectOutcome {
    /** Other attachments remain, so the mount stays. */
    STILL_IN_USE,
    /** That was the last attachment; the export was unmounted and its directory removed. */
    UNMOUNTED,
    /** The attachment was not recorded: a repeated disconnect, harmless. */
    NOT_ATTACHED,
    /** That was the last attachment but the kernel reported the mount busy; it stays mounted. */
    BUSY,
    /**
     * That was the last attachment, but a hypervisor guest still uses a file under the mount
     * ({@link GuestUsage}), or the guests could not be asked; the mount stays. The driver names
     * the guests in the mount's {@link MountStatus#detail() detail} and its log, and unmounts it
     * later (its watchdog) once no guest uses it. Since 1.2.
     */
    KEPT_IN_USE_BY_GUEST
}
