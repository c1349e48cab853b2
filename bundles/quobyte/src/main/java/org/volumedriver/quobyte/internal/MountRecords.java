package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.LimitExceededException;
import org.volumedriver.spi.MountState;

/**
 * The per-directory state of every mount this driver knows (made, adopted, or recovered from the
 * journal), and how many of them count against {@code max.mounts}. A record is kept while it has
 * attachments or a mount of ours; an idle record without a mount is forgotten.
 */
final class MountRecords {

    private static final Logger LOG = LoggerFactory.getLogger(MountRecords.class);

    private final ConcurrentHashMap<Path, MountRecord> records = new ConcurrentHashMap<>();
    private final AtomicInteger mounted = new AtomicInteger();
    private final int maxMounts;

    /** @param maxMounts the most mounts that may be counted at once */
    MountRecords(int maxMounts) {
        this.maxMounts = maxMounts;
    }

    /** @return the record of a directory, if there is one */
    MountRecord find(Path dir) {
        return records.get(dir);
    }

    /** @return the record of a directory, made empty if there was none (caller holds its lock) */
    MountRecord open(Path dir) {
        return records.computeIfAbsent(dir, MountRecord::new);
    }

    /** @return a snapshot of every record */
    List<MountRecord> all() {
        return new ArrayList<>(records.values());
    }

    /** @return the directories with a record now */
    Set<Path> directories() {
        return Set.copyOf(records.keySet());
    }

    /** Forgets a record that has neither attachments nor a mount of ours. */
    void forgetIfIdle(MountRecord rec) {
        if (!rec.hasAttachments()
                && (rec.state() == MountState.NOT_MOUNTED
                        || !rec.counted && rec.state() != MountState.BUSY)) {
            records.remove(rec.dir, rec);
        }
    }

    /**
     * Takes a place under {@code max.mounts} for a mount about to be made.
     *
     * @throws LimitExceededException if every place is taken
     */
    void reserve() throws LimitExceededException {
        if (mounted.incrementAndGet() > maxMounts) {
            mounted.decrementAndGet();
            throw new LimitExceededException("max.mounts", maxMounts);
        }
    }

    /** Gives back a place reserved for a mount that was not made. */
    void cancelReservation() {
        mounted.decrementAndGet();
    }

    /** Counts a mount found in place (another agent's, or one made before a restart). */
    void adopt(MountRecord rec) {
        if (!rec.counted) {
            rec.counted = true;
            mounted.incrementAndGet();
        }
    }

    /** Stops counting a mount that is gone. */
    void uncount(MountRecord rec) {
        if (rec.counted) {
            rec.counted = false;
            mounted.decrementAndGet();
        }
    }

    /** @return how many mounts are counted */
    int mountedCount() {
        return mounted.get();
    }

    /** @return whether an attachment is recorded anywhere: memory only, no probe, no process */
    boolean isAttached(Attachment attachment) {
        return records.values().stream().anyMatch(r -> r.attachments().contains(attachment));
    }

    /** @return how many attachments are recorded in all */
    int attachmentCount() {
        return records.values().stream().mapToInt(r -> r.attachments().size()).sum();
    }

    /** @return the journal snapshot: every directory with attachments, sorted by hash */
    Collection<Journal.Entry> snapshot() {
        List<Journal.Entry> out = new ArrayList<>();
        for (MountRecord r : records.values()) {
            Set<Attachment> a = Set.copyOf(r.attachments());
            String export = r.export();
            if (!a.isEmpty() && export != null) {
                out.add(new Journal.Entry(r.hash, export, a));
            }
        }
        out.sort((x, y) -> x.hash().compareTo(y.hash()));
        return out;
    }

    /**
     * Rebuilds the records from the journal and the mount table (E7): a journaled directory that is
     * mounted with a Quobyte client is counted and probed; one that is not mounted keeps its
     * attachments as NOT_MOUNTED, so that a heal can mount it again.
     *
     * @param entries the journal's entries
     * @param table the mount table, or {@code null} if it could not be read
     * @param isOurs whether a mount table entry is a Quobyte client mount
     * @param probe probes a mounted directory
     * @param dirOf the mount directory of a journaled hash
     */
    void recover(List<Journal.Entry> entries, List<MountEntry> table, Predicate<MountEntry> isOurs,
            Function<Path, ProbeResult> probe, Function<String, Path> dirOf) {
        for (Journal.Entry e : entries) {
            Path dir = dirOf.apply(e.hash());
            MountRecord rec = new MountRecord(dir);
            rec.export(e.export());
            rec.attachments().addAll(e.attachments());
            Optional<MountEntry> m = table == null ? Optional.empty() : MountTable.visibleAt(table, dir.toString());
            if (m.isPresent() && isOurs.test(m.get())) {
                adopt(rec);
                ProbeResult p = probe.apply(dir);
                if (p.isHealthy()) {
                    rec.healthy();
                } else {
                    rec.stale(p.detail());
                }
            } else {
                rec.notMounted("recorded attachments but the export is not mounted");
                LOG.warn("recovered {} attachment(s) for {} but it is not mounted", rec.attachments().size(), dir);
            }
            if (rec.hasAttachments()) {
                records.put(dir, rec);
            }
        }
        LOG.info("recovered {} mount directories with {} attachments from the journal", records.size(), attachmentCount());
    }
}
