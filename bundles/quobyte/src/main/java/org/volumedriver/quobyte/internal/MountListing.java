package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;

/**
 * The mounts as administrators see them: every record of this driver, probed now unless someone
 * is working on it, and every Quobyte mount under the base that has no record here.
 */
final class MountListing {

    private final MountRecords records;
    private final DirectoryLocks locks;
    private final MountLifecycle lifecycle;

    MountListing(MountRecords records, DirectoryLocks locks, MountLifecycle lifecycle) {
        this.records = records;
        this.locks = locks;
        this.lifecycle = lifecycle;
    }

    /** @return the managed mounts and Quobyte mounts found under the base */
    List<MountStatus> mounts() {
        List<MountEntry> entries = lifecycle.tableOrNull();
        List<MountStatus> out = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (MountRecord rec : records.all()) {
            seen.add(rec.dir);
            if (entries != null && MountTable.visibleAt(entries, rec.dir.toString()).isEmpty()) {
                if (rec.state() != MountState.NOT_MOUNTED) {
                    rec.notMounted("not in the mount table");
                }
            } else if (entries != null) {
                reprobe(rec);
            }
            out.add(rec.status());
        }
        if (entries != null) {
            for (MountEntry e : entries) {
                Optional<Path> p = lifecycle.quobyteMountDirectory(e);
                if (p.isPresent() && seen.add(p.get())) {
                    out.add(new MountStatus(QuobyteAdmin.DRIVER_TYPE, "", p.get().toString(), MountState.HEALTHY, Set.of(),
                            Instant.now(), "mounted without recorded attachments"));
                }
            }
        }
        out.sort((a, b) -> a.mountDirectory().compareTo(b.mountDirectory()));
        return out;
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
