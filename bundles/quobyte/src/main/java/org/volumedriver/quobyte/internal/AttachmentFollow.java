package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeLocation;

/**
 * Moves a recorded attachment to another file of its volume in the same mount directory, for the
 * SPI's {@code follow}: after an assisted snapshot switched a guest's disk to a new active file,
 * or to undo that. The move is recorded under the directory's lease and journaled in one line, as
 * durable as a connect's (E7), so that the last disconnect, a restart and a reconciliation all see
 * the file the guest uses. Only records change: nothing is mounted, read or run.
 */
final class AttachmentFollow {

    private static final Logger LOG = LoggerFactory.getLogger(AttachmentFollow.class);

    /** The parameter that names the new file, in errors. */
    static final String FIELD = "toVolume";

    private final Settings settings;
    private final MountLayout layout;
    private final MountRecords records;
    private final DirectoryLocks locks;
    private final Journal journal;
    private final Counters counters;

    AttachmentFollow(Settings settings, MountLayout layout, MountRecords records, DirectoryLocks locks, Journal journal,
            Counters counters) {
        this.settings = settings;
        this.layout = layout;
        this.records = records;
        this.locks = locks;
        this.journal = journal;
        this.counters = counters;
    }

    /**
     * @param from the mount directory and the recorded volume file
     * @param toVolume the volume file the guest uses now
     * @param attachment the recorded attachment; its volume is {@code from}'s
     * @return whether it moved; {@code false} if it was not recorded under {@code from}
     * @throws VolumeDriverException the typed refusal, or JOURNAL_FAILED (the move is undone)
     */
    boolean follow(VolumeLocation from, String toVolume, Attachment attachment) throws VolumeDriverException {
        if (from == null) {
            throw new InvalidConnectionInfoException("location", "is missing");
        }
        if (attachment == null) {
            throw new InvalidConnectionInfoException("attachment", "is missing");
        }
        if (!attachment.volume().equals(from.volume())) {
            throw new InvalidConnectionInfoException("attachment.volume", "must equal the location's volume");
        }
        Path dir = from.directory();
        if (!layout.isMountDirectory(dir)) {
            throw new UnsafePathException(Redactor.quote(from.mountDirectory()), "is not a mount directory of " + layout.base());
        }
        VolumeValidator.resolveName(toVolume, FIELD, settings.volumeNamePattern, dir);
        if (toVolume.equals(from.volume())) {
            throw new InvalidConnectionInfoException(FIELD, "names the file the attachment records already");
        }
        Attachment moved = new Attachment(toVolume, attachment.instance());
        long ticket;
        boolean alsoRecordedThere;
        try (DirectoryLocks.Lease lease = locks.lock(dir)) {
            MountRecord rec = records.find(dir);
            if (rec == null || !rec.attachments().contains(attachment)) {
                return false;
            }
            alsoRecordedThere = rec.attachments().contains(moved);
            rec.remove(attachment);
            rec.add(moved);
            ticket = journal.enqueue(List.of(Journal.Op.follow(rec.hash, attachment, toVolume)));
        }
        try {
            journal.await(ticket);
        } catch (IOException e) {
            counters.increment("journal.failures");
            LOG.error("the attachment journal could not be written ({}); the move of {} is undone", e.getClass().getSimpleName(),
                    attachment);
            undo(dir, attachment, moved, alsoRecordedThere);
            throw Journal.writeFailed(e);
        }
        counters.increment("follows");
        LOG.info("attachment {} on {} follows its guest to {}", attachment, dir, toVolume);
        return true;
    }

    /** Puts the attachment back where it was, unless something changed it since. */
    private void undo(Path dir, Attachment attachment, Attachment moved, boolean alsoRecordedThere) throws VolumeDriverException {
        try (DirectoryLocks.Lease lease = locks.lock(dir)) {
            MountRecord rec = records.find(dir);
            if (rec != null && rec.attachments().contains(moved) && !rec.attachments().contains(attachment)) {
                rec.add(attachment);
                if (!alsoRecordedThere) {
                    rec.remove(moved);
                    journal.enqueue(List.of(Journal.Op.follow(rec.hash, moved, attachment.volume())));
                } else {
                    journal.enqueue(List.of(Journal.Op.add(rec.hash, attachment)));
                }
            }
        }
    }
}
