package org.volumedriver.quobyte;

import java.util.Objects;
import java.util.OptionalLong;

import org.volumedriver.spi.MountStatus;

/**
 * A Quobyte mount as administrators see it: its generic status plus its FUSE connection.
 *
 * @param status the generic status (state, attachments, since, detail)
 * @param connection the number of the mount's FUSE connection, the name of its directory under
 *        {@code /sys/fs/fuse/connections}, while it is mounted
 * @param waiting how many requests the client has not answered yet, when the FUSE control file
 *        system can be read
 */
public record QuobyteMount(MountStatus status, OptionalLong connection, OptionalLong waiting) {

    /**
     * @param status the status
     * @param connection the connection number, or empty
     * @param waiting the unanswered requests, or empty
     */
    public QuobyteMount {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(waiting, "waiting");
    }
}
