package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.CommandTimedOutException;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeEvents;

/**
 * Gives up one attachment of a mount directory, for a disconnect (by connection info) and a
 * release (by location): the attachment goes in every outcome; after the last one the export is
 * unmounted (E2, E6), unless the kernel refuses (BUSY) or a hypervisor guest still uses a file of
 * the mount (F6: the guard keeps it, and the watchdog unmounts it once no guest does).
 */
final class Disconnection {

    private static final Logger LOG = LoggerFactory.getLogger(Disconnection.class);

    private final Settings settings;
    private final MountRecords records;
    private final DirectoryLocks locks;
    private final MountLifecycle lifecycle;
    private final Journal journal;
    private final Counters counters;
    private final UnmountGuard guard;

    Disconnection(Settings settings, MountRecords records, DirectoryLocks locks, MountLifecycle lifecycle, Journal journal,
            Counters counters, UnmountGuard guard) {
        this.settings = settings;
        this.records = records;
        this.locks = locks;
        this.lifecycle = lifecycle;
        this.journal = journal;
        this.counters = counters;
        this.guard = guard;
    }

    /**
     * @param dir the checked mount directory
     * @param attachment the checked attachment
     * @return the outcome
     * @throws VolumeDriverException the typed failure
     */
    DisconnectOutcome disconnect(Path dir, Attachment attachment) throws VolumeDriverException {
        try (DirectoryLocks.Lease lease = locks.lock(dir)) {
            MountRecord rec = records.find(dir);
            if (rec == null || !rec.attachments().contains(attachment)) {
                if (rec != null && !rec.hasAttachments() && rec.counted) {
                    return retryIdleUnmount(rec);
                }
                return DisconnectOutcome.NOT_ATTACHED;
            }
            if (rec.attachments().size() > 1) {
                rec.remove(attachment);
                journalRemoval(rec, attachment);
                return DisconnectOutcome.STILL_IN_USE;
            }
            // the last attachment: the guests are asked before anything changes and without an operation slot
            if (guard.active() && isOurMount(rec) && guard.keeps(rec, "the unmount after the last attachment")) {
                rec.remove(attachment);
                journalRemoval(rec, attachment);
                counters.increment("unmount.kept.by.guest");
                return DisconnectOutcome.KEPT_IN_USE_BY_GUEST;
            }
            DirectoryLocks.Permit permit = locks.acquireOperation();
            try {
                rec.remove(attachment);
                journalRemoval(rec, attachment);
                return unmountLast(rec);
            } finally {
                permit.release();
            }
        }
    }

    private boolean isOurMount(MountRecord rec) throws VolumeDriverException {
        Optional<MountEntry> m = lifecycle.visible(rec.dir);
        return m.isPresent() && lifecycle.isOurs(m.get());
    }

    /** Unmounts the mount whose last attachment just left; a refusal leaves it BUSY (E6). */
    private DisconnectOutcome unmountLast(MountRecord rec) throws VolumeDriverException {
        Optional<MountEntry> m = lifecycle.visible(rec.dir);
        if (m.isEmpty()) {
            lifecycle.mountAlreadyGone(rec);
            return DisconnectOutcome.UNMOUNTED;
        }
        if (!lifecycle.isOurs(m.get())) {
            records.forgetIfIdle(rec);
            throw new UnsafePathException(rec.dir.toString(), "another file system type is mounted there; it was left alone");
        }
        long started = System.nanoTime();
        Mounter.Outcome r = lifecycle.unmountOnce(rec.dir);
        if (lifecycle.visible(rec.dir).isEmpty()) {
            lifecycle.unmounted(rec, started);
            return DisconnectOutcome.UNMOUNTED;
        }
        if (r.timedOut()) {
            lifecycle.unmountTimedOut(rec, "unmount timed out", started);
            throw new CommandTimedOutException(settings.umountCommand, settings.umountTimeout);
        }
        lifecycle.busy(rec, "unmount refused (exit status " + r.exitStatus() + "); still mounted", VolumeEvents.OP_UNMOUNT, started);
        counters.increment("unmount.busy");
        LOG.warn("unmount of {} refused with exit status {}: it stays mounted (busy)", rec.dir, r.exitStatus());
        return DisconnectOutcome.BUSY;
    }

    /**
     * A repeated disconnect whose attachment is already gone, on a mount still counted as mounted
     * without attachments: an earlier disconnect removed the last attachment and then failed
     * (mount table unreadable, executor saturated, umount not started, timeout) or the guard kept
     * the mount for a guest. Finish its unmount now if no guest uses it; anything in the way is
     * left to the watchdog, and the attachment is not attached either way.
     */
    private DisconnectOutcome retryIdleUnmount(MountRecord rec) {
        try {
            Optional<MountEntry> m = lifecycle.visible(rec.dir);
            if (m.isEmpty()) {
                lifecycle.mountAlreadyGone(rec);
            } else if (lifecycle.isOurs(m.get()) && lifecycle.probe(rec).isHealthy()
                    && !guard.keeps(rec, "the unmount of an idle mount") && lifecycle.unmountIdle(rec)) {
                return DisconnectOutcome.UNMOUNTED;
            }
        } catch (VolumeDriverException e) {
            LOG.warn("the idle mount {} could not be unmounted yet ({}); the watchdog retries", rec.dir, e.code());
        }
        return DisconnectOutcome.NOT_ATTACHED;
    }

    /** A removal that cannot be journaled is logged: the attachment is gone either way, and a restart reconciles. */
    private void journalRemoval(MountRecord rec, Attachment attachment) {
        try {
            journal.append(List.of(Journal.Op.remove(rec.hash, attachment)));
        } catch (IOException e) {
            counters.increment("journal.failures");
            LOG.error("the attachment journal could not be written ({})", e.getClass().getSimpleName());
        }
    }
}
