package org.volumedriver.quobyte.internal;

import java.util.OptionalLong;

import org.volumedriver.quobyte.HealStep;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The kernel's FUSE control file system ({@code fusectl}, Documentation/filesystems/fuse.rst):
 * per connection, {@code waiting} counts requests the daemon has not answered, and a write to
 * {@code abort} ends the connection so that every waiting and future request fails at once (D5).
 */
interface FuseControl {

    /** Where fusectl is mounted. */
    String CONNECTIONS = "/sys/fs/fuse/connections";

    /**
     * What an attempt to abort did.
     *
     * @param outcome DONE once the abort is written, NOT_NEEDED when the connection is gone
     *        already, FAILED or SKIPPED otherwise
     * @param detail what happened, for the heal's step
     */
    record Abort(HealStep.Outcome outcome, String detail) {
    }

    /**
     * Mounts fusectl if the mount table does not show it (a privileged step).
     *
     * @return what was done, for the heal's step ({@code ""} when it was mounted already)
     * @throws VolumeDriverException if it is not mounted and could not be
     */
    String ensureMounted() throws VolumeDriverException;

    /**
     * Reads a connection's {@code waiting} count; runs nothing and mounts nothing.
     *
     * @param connection the connection
     * @return the count, or empty when fusectl is not mounted, the connection is gone or the file
     *         cannot be read (not root)
     */
    OptionalLong waiting(FuseConnection connection);

    /**
     * Aborts a connection; fusectl must be mounted. The caller has checked that the connection is
     * the one of a mount this driver made or adopted, that its client is hung, and that the mount
     * table still shows it.
     *
     * @param connection the connection
     * @return what happened
     * @throws VolumeDriverException if the abort command could not run at all
     */
    Abort abort(FuseConnection connection) throws VolumeDriverException;

    /** No control file system: nothing is read, nothing aborted (engines built without one). */
    FuseControl NONE = new FuseControl() {
        @Override
        public String ensureMounted() {
            return "";
        }

        @Override
        public OptionalLong waiting(FuseConnection connection) {
            return OptionalLong.empty();
        }

        @Override
        public Abort abort(FuseConnection connection) {
            return new Abort(HealStep.Outcome.SKIPPED, "no FUSE control file system is configured");
        }
    };
}
