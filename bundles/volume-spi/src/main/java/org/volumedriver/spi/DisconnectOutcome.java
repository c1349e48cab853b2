package org.volumedriver.spi;

/**
 * What a disconnect did. The attachment is gone in every outcome; they differ in what happened to
 * the mount.
 */
public enum DisconnectOutcome {
    /** Other attachments remain, so the mount stays. */
    STILL_IN_USE,
    /** That was the last attachment; the export was unmounted and its directory removed. */
    UNMOUNTED,
    /** The attachment was not recorded: a repeated disconnect, harmless. */
    NOT_ATTACHED,
    /** That was the last attachment but the kernel reported the mount busy; it stays mounted. */
    BUSY
}
