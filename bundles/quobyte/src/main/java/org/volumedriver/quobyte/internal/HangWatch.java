package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The watchdog's second opinion on a client, without a probe (D6): FUSE's {@code waiting} count of
 * each recorded connection, sampled once per scan. A count above zero that has not gone down
 * between two scans means no request was answered in a whole interval: the client is hung, and it
 * is reported without waiting for a probe to time out (a probe would block one more worker on it).
 *
 * <p>FUSE does not count answered requests, so a client that answers but is fed faster than it
 * answers for a whole interval looks the same; that is why this opinion only reports (and lets an
 * idle mount be healed after its probe agrees), and a heal never aborts a mount whose probe answers.
 */
final class HangWatch {

    private record Sample(FuseConnection connection, long waiting) {
    }

    private final FuseControl fuse;
    private final Map<Path, Sample> samples = new ConcurrentHashMap<>();

    /** @param fuse where the counts are read */
    HangWatch(FuseControl fuse) {
        this.fuse = fuse;
    }

    /**
     * Samples a connection and compares with the previous scan's sample.
     *
     * @param dir the mount directory
     * @param connection its recorded connection, which the table still shows
     * @return the count now if it stayed above zero without going down since the previous scan
     */
    OptionalLong stuck(Path dir, FuseConnection connection) {
        OptionalLong now = fuse.waiting(connection);
        if (now.isEmpty()) {
            samples.remove(dir);
            return OptionalLong.empty();
        }
        Sample before = samples.put(dir, new Sample(connection, now.getAsLong()));
        boolean stuck = before != null && before.connection().equals(connection) && before.waiting() > 0
                && now.getAsLong() >= before.waiting();
        return stuck ? now : OptionalLong.empty();
    }

    /** @param dir a mount directory whose mount is gone or healed: its next sample starts afresh */
    void forget(Path dir) {
        samples.remove(dir);
    }

    /** @param keep the directories that still have records; the others' samples go */
    void retain(java.util.Set<Path> keep) {
        samples.keySet().retainAll(keep);
    }
}
