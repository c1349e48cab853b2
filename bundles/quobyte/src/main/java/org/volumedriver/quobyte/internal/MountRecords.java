package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

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

    /**
     * Counts a mount found in place (another agent's, or one made before a restart) and records its
     * FUSE connection, unless one is recorded already: a connection recorded earlier that differs
     * from the table's means the directory was remounted behind our back, and it stays so that no
     * heal acts on the other mount (D4).
     *
     * @param rec the record
     * @param found the mount table's entry at its directory
     * @param mountId the kernel's unique id of that mount, if it has one (asked only when recorded)
     */
    void adopt(MountRecord rec, MountEntry found, Supplier<OptionalLong> mountId) {
        if (!rec.counted) {
            rec.counted = true;
            mounted.incrementAndGet();
        }
        if (rec.connection() == null) {
            FuseConnection.of(found).ifPresent(c -> rec.connection(c, mountId.get().orElse(0)));
        }
    }

    /** Stops counting a mount that is gone; its connection goes with it. */
    void uncount(MountRecord rec) {
        if (rec.counted) {
            rec.counted = false;
            mounted.decrementAndGet();
        }
        rec.connection(null, 0);
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
                FuseConnection c = r.connection();
                out.add(new Journal.Entry(r.hash, export, a, c == null ? null : c.device(), r.mountId()));
            }
        }
        out.sort((x, y) -> x.hash().compareTo(y.hash()));
        return out;
    }

    /**
     * Rebuilds the records from the journal and the mount table (E7): a journaled directory that is
     * mounted with a Quobyte client is counted and probed, with the FUSE connection the journal
     * recorded (D4; the table's when the journal has none); one that is not mounted keeps its
     * attachments as NOT_MOUNTED, so that a heal can mount it again.
     *
     * @param entries the journal's entries
     * @param table the mount table, or {@code null} if it could not be read
     * @param isOurs whether a mount table entry is a Quobyte client mount
     * @param probe probes a mounted directory
     * @param dirOf the mount directory of a journaled hash
     * @param mountIdAt the kernel's unique id of the mount at a directory, if it has one
     */
    void recover(List<Journal.Entry> entries, List<MountEntry> table, Predicate<MountEntry> isOurs,
            Function<Path, ProbeResult> probe, Function<String, Path> dirOf, Function<Path, OptionalLong> mountIdAt) {
        for (Journal.Entry e : entries) {
            Path dir = dirOf.apply(e.hash());
            MountRecord rec = new MountRecord(dir);
            rec.export(e.export());
            rec.attachments().addAll(e.attachments());
            Optional<MountEntry> m = table == null ? Optional.empty() : MountTable.visibleAt(table, dir.toString());
            if (m.isPresent() && isOurs.test(m.get())) {
                Optional<FuseConnection> journaled = FuseConnection.parse(e.connection());
                journaled.ifPresent(c -> rec.connection(c, e.mountId()));
                OptionalLong id = mountIdAt.apply(dir);
                adopt(rec, m.get(), () -> id);
                rec.takeConnectionChange(); // it came from the journal, or goes into the first snapshot
                if (ConnectionAborter.remountedBehindOurBack(rec, m.get(), id)) {
                    LOG.warn("{} was remounted while the driver was away (FUSE connection {} recorded, {} mounted): "
                            + "it will not be aborted or unmounted by a heal", dir, journaled.get(),
                            FuseConnection.of(m.get()).map(FuseConnection::toString).orElse("unknown"));
                }
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
