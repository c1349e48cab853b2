package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.QuobyteMount;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;

/**
 * The mounts as administrators see them: every record of this driver, probed now unless someone
 * is working on it, and every Quobyte mount under the base that has no record here; each with the
 * FUSE connection the table shows and its unanswered requests (read, never mounted for this).
 */
final class MountListing {

    private final MountRecords records;
    private final DirectoryLocks locks;
    private final MountLifecycle lifecycle;
    private final FuseControl fuse;

    MountListing(MountRecords records, DirectoryLocks locks, MountLifecycle lifecycle, FuseControl fuse) {
        this.records = records;
        this.locks = locks;
        this.lifecycle = lifecycle;
        this.fuse = fuse;
    }

    /** @return the managed mounts and Quobyte mounts found under the base, sorted by directory */
    List<QuobyteMount> mounts() {
        List<MountEntry> entries = lifecycle.tableOrNull();
        List<QuobyteMount> out = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (MountRecord rec : records.all()) {
            seen.add(rec.dir);
            Optional<MountEntry> visible = entries == null ? Optional.empty() : MountTable.visibleAt(entries, rec.dir.toString());
            if (entries != null && visible.isEmpty()) {
                if (rec.state() != MountState.NOT_MOUNTED) {
                    rec.notMounted("not in the mount table");
                }
            } else if (entries != null) {
                reprobe(rec);
            }
            Optional<FuseConnection> mounted = visible.filter(lifecycle::isOurs).flatMap(FuseConnection::of);
            MountStatus status = rec.status();
            if (mounted.isPresent() && ConnectionAborter.remountedBehindOurBack(rec, visible.get(), lifecycle.mountIdAt(rec.dir))) {
                status = withDetail(status, "remounted behind this driver's back: connection " + rec.connection() + " recorded, "
                        + mounted.get() + " mounted");
            }
            out.add(withConnection(status, mounted));
        }
        if (entries != null) {
            for (MountEntry e : entries) {
                Optional<Path> p = lifecycle.quobyteMountDirectory(e);
                if (p.isPresent() && seen.add(p.get())) {
                    out.add(withConnection(new MountStatus(QuobyteAdmin.DRIVER_TYPE, "", p.get().toString(), MountState.HEALTHY,
                            Set.of(), Instant.now(), "mounted without recorded attachments"), FuseConnection.of(e)));
                }
            }
        }
        out.sort((a, b) -> a.status().mountDirectory().compareTo(b.status().mountDirectory()));
        return out;
    }

    private QuobyteMount withConnection(MountStatus status, Optional<FuseConnection> c) {
        return new QuobyteMount(status, c.map(x -> OptionalLong.of(x.number())).orElse(OptionalLong.empty()),
                c.map(fuse::waiting).orElse(OptionalLong.empty()));
    }

    private static MountStatus withDetail(MountStatus s, String more) {
        String detail = s.detail().isEmpty() ? more : s.detail() + "; " + more;
        return new MountStatus(s.driverType(), s.export(), s.mountDirectory(), s.state(), s.attachments(), s.since(), detail);
    }

    /**
     * Probes a listed mount now, so that administrators never see a dead client as HEALTHY until the
     * watchdog comes by. A mount whose directory lock is taken is being worked on: its recorded
     * state stands. A mount already blocked in the kernel answers at once (the probe remembers it).
     */
    private void reprobe(MountRecord rec) {
        if (rec.state() == MountState.BUSY) {
            return; // BUSY comes from a refused unmount, which a probe cannot tell
        }
        try (DirectoryLocks.Lease lease = locks.tryLockNow(rec.dir)) {
            if (lease == null) {
                return;
            }
            if (lifecycle.probe(rec).isHealthy()) {
                rec.healthy();
            }
        }
    }
}
