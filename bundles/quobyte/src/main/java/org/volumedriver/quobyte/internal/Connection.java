package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Records one attachment of a validated volume (E1–E5): under the mount directory's lease the
 * export is mounted if nobody uses it yet (or a stale unused mount healed), the volume file is
 * checked (A3, A5), and the attachment is recorded and queued for the journal; the lease is
 * released before the journal is awaited, so that concurrent connects share one write (E7).
 */
final class Connection {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final Settings settings;
    private final MountRecords records;
    private final DirectoryLocks locks;
    private final MountLifecycle lifecycle;
    private final Journal journal;
    private final Counters counters;

    Connection(Settings settings, MountRecords records, DirectoryLocks locks, MountLifecycle lifecycle, Journal journal,
            Counters counters) {
        this.settings = settings;
        this.records = records;
        this.locks = locks;
        this.lifecycle = lifecycle;
        this.journal = journal;
        this.counters = counters;
    }

    /**
     * @param t the validated target
     * @param attachment the checked attachment
     * @throws VolumeDriverException the typed failure; nothing is left half done
     */
    void connect(VolumeTarget t, Attachment attachment) throws VolumeDriverException {
        long ticket = -1;
        boolean madeMount = false;
        try (DirectoryLocks.Lease lease = locks.lock(t.dir())) {
            MountRecord rec = records.open(t.dir());
            try {
                if (rec.export() != null && !rec.export().equals(t.export().stripped())) {
                    throw new UnsafePathException(t.dir().toString(), "is already used by a different export with the same hash");
                }
                rec.export(t.export().stripped());
                boolean mountedNow = lifecycle.ensureMounted(rec);
                madeMount = mountedNow;
                try {
                    Qcow2Inspector.check(t.volumePath(), t.format(), settings.volumeNamePattern);
                } catch (VolumeDriverException e) {
                    if (mountedNow && !rec.hasAttachments()) {
                        lifecycle.undoMount(rec, "volume file refused");
                    }
                    throw e;
                }
                boolean first = !rec.hasAttachments();
                if (rec.add(attachment)) {
                    List<Journal.Op> ops = new ArrayList<>(3);
                    if (first) {
                        // the journal knows a directory's export while it has attachments: told with the first
                        ops.add(Journal.Op.mount(rec.hash, rec.export()));
                    }
                    Optional.ofNullable(rec.takeConnectionChange()).ifPresent(ops::add);
                    ops.add(Journal.Op.add(rec.hash, attachment));
                    ticket = journal.enqueue(ops);
                    if (locks.singleGlobalLock()) {
                        // the baseline holds its one lock for the whole operation, as the original did
                        awaitJournal(ticket, t.dir(), attachment, mountedNow);
                        ticket = -1;
                    }
                }
            } finally {
                records.forgetIfIdle(rec);
            }
        }
        if (ticket >= 0) {
            // the directory lock is released while the journal syncs: concurrent connects share one fsync
            awaitJournal(ticket, t.dir(), attachment, madeMount);
        }
    }

    /**
     * Waits until a connect's (or an adoption's) journal entry is durable; if it cannot be, the
     * attachment is withdrawn, and a mount this connect made is undone when no attachment remains.
     *
     * @param ticket the journal ticket
     * @param dir the mount directory
     * @param attachment the attachment recorded
     * @param mountedNow whether this operation made the mount
     * @throws VolumeDriverException JOURNAL_FAILED
     */
    void awaitJournal(long ticket, Path dir, Attachment attachment, boolean mountedNow) throws VolumeDriverException {
        try {
            journal.await(ticket);
        } catch (IOException e) {
            counters.increment("journal.failures");
            LOG.error("the attachment journal could not be written ({}); the attachment is withdrawn", e.getClass().getSimpleName());
            boolean held = locks.isHeldByCurrentThread(dir);
            try (DirectoryLocks.Lease lease = held ? null : locks.lock(dir)) {
                MountRecord rec = records.find(dir);
                if (rec != null) {
                    rec.remove(attachment);
                    journal.enqueue(List.of(Journal.Op.remove(rec.hash, attachment)));
                    if (mountedNow && !rec.hasAttachments() && rec.counted) {
                        lifecycle.undoMount(rec, "its attachment could not be journaled");
                    }
                }
            }
            throw Journal.writeFailed(e);
        }
    }
}
