package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.slf4j.LoggerFactory;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Mounts and unmounts Quobyte exports and tells what the mount table shows. Nothing here keeps
 * state: the records, the locks and the decisions stay with the engine.
 */
interface Mounter {

    /**
     * What a mount or unmount command did.
     *
     * @param exitStatus its exit status
     * @param timedOut whether it was killed at its timeout
     */
    record Outcome(int exitStatus, boolean timedOut) {

        /** @return whether it exited with status 0 before its timeout (C3: nothing else is success) */
        boolean succeeded() {
            return !timedOut && exitStatus == 0;
        }
    }

    /**
     * Runs the Quobyte client for an export on a prepared, empty directory.
     *
     * @param export the stripped export
     * @param dir the mount directory
     * @return what the client did; whether a mount appeared is read from {@link #table()}
     * @throws VolumeDriverException if the command could not run at all (refused, saturated, not started)
     */
    Outcome mount(String export, Path dir) throws VolumeDriverException;

    /**
     * One unmount attempt.
     *
     * @param dir the mount directory
     * @param lazy whether to detach it lazily ({@code umount -l})
     * @return what the command did; whether the mount is gone is read from {@link #table()}
     * @throws VolumeDriverException if the command could not run at all
     */
    Outcome unmount(Path dir, boolean lazy) throws VolumeDriverException;

    /**
     * Ends the systemd scope that a former client of this directory may have left behind, so that
     * a fresh mount can create its scope again: a scope lives as long as its daemon, and a daemon
     * outlives a lazy unmount of its hung mount. Called only while nothing is mounted at the
     * directory, so whatever still runs in that scope serves no mount of ours.
     *
     * @param dir the mount directory
     * @return what stopping the scope did, or empty when mounts do not run in scopes
     * @throws VolumeDriverException if the command could not run at all
     */
    default Optional<Outcome> endClientScope(Path dir) throws VolumeDriverException {
        return Optional.empty();
    }

    /**
     * The kernel's never-reused id of the mount visible at a directory, read without a request to
     * its FUSE server: the mount table's device number and mount id are given to the next mount once
     * a mount is gone, so they alone cannot tell a remount behind the driver's back (D4).
     *
     * @param dir a mount directory
     * @return the id, or empty where the kernel has none (before Linux 6.8)
     */
    default OptionalLong mountIdAt(Path dir) {
        return OptionalLong.empty();
    }

    /**
     * @return the mount table, read fresh
     * @throws VolumeDriverException MOUNT_TABLE_UNREADABLE if it cannot be read or parsed
     */
    List<MountEntry> table() throws VolumeDriverException;

    /**
     * @param dir a mount directory
     * @return the entry visible at it now (the last one stacked), if anything is mounted there
     * @throws VolumeDriverException MOUNT_TABLE_UNREADABLE
     */
    default Optional<MountEntry> mountedAt(Path dir) throws VolumeDriverException {
        return MountTable.visibleAt(table(), dir.toString());
    }

    /**
     * The one rule for taking a mount away: a normal unmount, then, if the mount table still shows
     * something there, a lazy unmount as the logged last resort (E4).
     *
     * @param dir the mount directory
     * @param why for the log line of the lazy unmount
     * @return whether nothing is mounted there any more
     * @throws VolumeDriverException if a command could not run or the table cannot be read
     */
    default boolean unmountOrDetach(Path dir, String why) throws VolumeDriverException {
        unmount(dir, false);
        if (mountedAt(dir).isPresent()) {
            LoggerFactory.getLogger(Mounter.class).warn("lazy unmount of {} as the last resort ({})", dir, why);
            unmount(dir, true);
        }
        return mountedAt(dir).isEmpty();
    }
}
