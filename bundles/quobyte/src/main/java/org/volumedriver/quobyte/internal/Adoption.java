package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeLocation;

/**
 * Attachments the hypervisor shows but the records do not (F5): after a lost journal, a host moved
 * from Nova, or a guest attached by another tool. The location is checked again as
 * {@link VolumeOwnership} does; the attachment is then recorded and journaled as a connect records
 * it. A mount directory without a record is adopted as it is found (no command runs) only when its
 * probe says healthy and the mount table's source names the export whose md5 is the directory's name.
 */
final class Adoption {

    private static final Logger LOG = LoggerFactory.getLogger(Adoption.class);
    private static final String SOURCE_PREFIX = "quobyte@";

    private final Settings settings;
    private final MountLayout layout;
    private final MountRecords records;
    private final DirectoryLocks locks;
    private final MountLifecycle lifecycle;
    private final VolumeOwnership ownership;
    private final Journal journal;
    private final Counters counters;

    Adoption(Settings settings, MountLayout layout, MountRecords records, DirectoryLocks locks, MountLifecycle lifecycle,
            VolumeOwnership ownership, Journal journal, Counters counters) {
        this.settings = settings;
        this.layout = layout;
        this.records = records;
        this.locks = locks;
        this.lifecycle = lifecycle;
        this.ownership = ownership;
        this.journal = journal;
        this.counters = counters;
    }

    /**
     * Records an attachment found in a guest.
     *
     * @param where the volume file
     * @param attachment the attachment; its volume is the location's
     * @return the journal ticket to await, or -1 if the attachment was recorded already
     * @throws VolumeDriverException the typed refusal; nothing was recorded
     */
    long adopt(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        requireBoth(where, attachment);
        ownership.check(where);
        Path dir = where.directory();
        try (DirectoryLocks.Lease lease = locks.lock(dir)) {
            MountRecord rec = records.open(dir);
            try {
                if (rec.attachments().contains(attachment)) {
                    return -1;
                }
                Optional<MountEntry> m = lifecycle.visible(dir).filter(lifecycle::isOurs);
                if (m.isEmpty()) {
                    throw new MountUnhealthyException(dir.toString(), "its Quobyte mount went away");
                }
                if (!rec.counted || rec.export() == null) {
                    adoptMount(rec, m.get());
                }
                rec.add(attachment);
                List<Journal.Op> ops = new ArrayList<>(List.of(Journal.Op.mount(rec.hash, rec.export())));
                Optional.ofNullable(rec.takeConnectionChange()).ifPresent(ops::add);
                ops.add(Journal.Op.add(rec.hash, attachment));
                counters.increment("adoptions");
                LOG.info("adopted attachment {} on {}: a guest uses it, the records did not have it", attachment, dir);
                return journal.enqueue(ops);
            } finally {
                records.forgetIfIdle(rec);
            }
        }
    }

    /** Counts a mount found in place, after its probe and its source agree. */
    private void adoptMount(MountRecord rec, MountEntry mounted) throws VolumeDriverException {
        String export = exportOf(mounted, rec.dir);
        if (rec.export() != null && !rec.export().equals(export)) {
            throw new UnsafePathException(rec.dir.toString(), "its mount names another export than the one recorded");
        }
        ProbeResult p = lifecycle.probe(rec);
        if (!p.isHealthy()) {
            throw new MountUnhealthyException(rec.dir.toString(), "not adopted: " + p.detail());
        }
        rec.export(export);
        records.adopt(rec, mounted, () -> lifecycle.mountIdAt(rec.dir));
        rec.healthy();
        counters.increment("adoptions.mounts");
        if (records.mountedCount() > settings.maxMounts) {
            LOG.warn("adopted mount {} takes the count of mounts to {}, over max.mounts {}: no new export mounts until some go",
                    rec.dir, records.mountedCount(), settings.maxMounts);
        }
        LOG.info("adopted the mount {} of {} as found (mounted by another agent or before the journal)", rec.dir,
                Redactor.redactText(export));
    }

    /**
     * @param mounted the mount table's entry
     * @param dir its mount directory
     * @return the stripped export the entry's source names; its md5 is the directory's name
     * @throws UnsafePathException if the source names no valid export, or another one
     */
    static String exportOf(MountEntry mounted, Path dir) throws UnsafePathException {
        String source = mounted.source();
        if (!source.startsWith(SOURCE_PREFIX)) {
            throw new UnsafePathException(dir.toString(), "its mount's source does not name a Quobyte export");
        }
        // the client shows ',' between registries as '|'
        String export = source.substring(SOURCE_PREFIX.length()).replace('|', ',');
        String stripped;
        try {
            stripped = VolumeValidator.parseExport(export).stripped();
        } catch (InvalidConnectionInfoException e) {
            throw new UnsafePathException(dir.toString(), "its mount's source is not a valid export");
        }
        if (!MountLayout.hash(stripped).equals(dir.getFileName().toString())) {
            throw new UnsafePathException(dir.toString(), "its mount's source names an export whose md5 is not the directory's name");
        }
        return stripped;
    }

    /**
     * The checks of a release by location, before anything is locked.
     *
     * @param where a mount directory of this driver and the volume
     * @param attachment the attachment; its volume is the location's
     * @return the mount directory
     * @throws VolumeDriverException the typed refusal
     */
    Path releasable(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        requireBoth(where, attachment);
        Path dir = where.directory();
        if (!layout.isMountDirectory(dir)) {
            throw new UnsafePathException(Redactor.quote(where.mountDirectory()), "is not a mount directory of " + layout.base());
        }
        return dir;
    }

    private static void requireBoth(VolumeLocation where, Attachment attachment) throws InvalidConnectionInfoException {
        if (where == null) {
            throw new InvalidConnectionInfoException("location", "is missing");
        }
        if (attachment == null) {
            throw new InvalidConnectionInfoException("attachment", "is missing");
        }
        if (!attachment.volume().equals(where.volume())) {
            throw new InvalidConnectionInfoException("attachment.volume", "must equal the location's volume");
        }
    }
}
