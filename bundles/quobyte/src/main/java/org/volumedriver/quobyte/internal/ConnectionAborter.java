package org.volumedriver.quobyte.internal;

import java.util.Optional;
import java.util.OptionalLong;

import org.volumedriver.quobyte.ConnectionMismatchException;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The first step of cutting a client loose (D5): a hung client's FUSE connection is aborted, so
 * that every process blocked on the old mount (QEMU's I/O threads, a probe worker, a backup job)
 * gets an error at once instead of hanging for as long as the daemon does; a lazy unmount alone
 * only detaches the path. The abort is written only for a mount this driver made or adopted, whose
 * recorded connection the mount table still shows, and whose client is hung; a dead client
 * (ENOTCONN and the like) has no connection left to abort.
 */
final class ConnectionAborter {

    private final boolean enabled;
    private final FuseControl fuse;

    /**
     * @param enabled {@code heal.abort}: whether hung connections are aborted at all
     * @param fuse the FUSE control file system
     */
    ConnectionAborter(boolean enabled, FuseControl fuse) {
        this.enabled = enabled;
        this.fuse = fuse;
    }

    /**
     * Whether the mount at a record's directory is not the one this driver recorded: another
     * connection in the table, or the same number on another mount (the kernel gives a gone mount's
     * device number to the next one, so where it has unique mount ids those decide).
     *
     * @param rec the record
     * @param mounted the mount table's entry at its directory now
     * @param mountId the kernel's unique id of the mount there now, if it has one
     * @return whether a connection is recorded and the directory holds another mount
     */
    static boolean remountedBehindOurBack(MountRecord rec, MountEntry mounted, OptionalLong mountId) {
        FuseConnection recorded = rec.connection();
        if (recorded == null) {
            return false;
        }
        Optional<FuseConnection> now = FuseConnection.of(mounted);
        return now.isEmpty() || !now.get().equals(recorded)
                || rec.mountId() != 0 && mountId.isPresent() && mountId.getAsLong() != rec.mountId();
    }

    /**
     * Refuses to act on a mount that is not the one this driver recorded. Called before anything runs.
     *
     * @param rec the record
     * @param mounted the mount table's entry at its directory now
     * @param mountId the kernel's unique id of the mount there now, if it has one
     * @throws ConnectionMismatchException if the directory was remounted behind the driver's back
     */
    static void requireRecorded(MountRecord rec, MountEntry mounted, OptionalLong mountId) throws ConnectionMismatchException {
        if (remountedBehindOurBack(rec, mounted, mountId)) {
            throw new ConnectionMismatchException(rec.dir.toString(), rec.connection().number(),
                    FuseConnection.of(mounted).map(FuseConnection::number).orElse(-1L));
        }
    }

    /**
     * The abort step of a heal.
     *
     * @param rec the record; {@link #requireRecorded} has passed
     * @param hung whether the client is hung (its probe timed out, or its requests stayed unanswered)
     * @param verdict what the probe or the watchdog saw, for the step's detail
     * @param steps where the step goes
     */
    void abortIfHung(MountRecord rec, boolean hung, String verdict, HealSteps steps) {
        FuseConnection c = rec.connection();
        if (!hung) {
            steps.add(HealStep.Action.ABORT, HealStep.Outcome.NOT_NEEDED, "the client is not hung: " + verdict);
        } else if (!enabled) {
            steps.add(HealStep.Action.ABORT, HealStep.Outcome.SKIPPED, "heal.abort is off");
        } else if (c == null) {
            steps.add(HealStep.Action.ABORT, HealStep.Outcome.SKIPPED,
                    "no connection recorded: the mount was neither made nor adopted by this driver");
        } else {
            try {
                String mounted = fuse.ensureMounted();
                OptionalLong waiting = fuse.waiting(c);
                FuseControl.Abort a = fuse.abort(c);
                StringBuilder detail = new StringBuilder(a.detail());
                waiting.ifPresent(w -> detail.append(", ").append(w).append(" request(s) were unanswered"));
                if (!mounted.isEmpty()) {
                    detail.append("; ").append(mounted);
                }
                steps.add(HealStep.Action.ABORT, a.outcome(), detail.toString());
            } catch (VolumeDriverException e) {
                steps.add(HealStep.Action.ABORT, HealStep.Outcome.FAILED, e.getMessage());
            }
        }
    }
}
