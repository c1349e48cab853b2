package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The periodic pass over the mounts this driver knows (made by it or recovered from its journal):
 * heals idle stale mounts (aborting a hung client's connection first, D5), reports stale mounts in
 * use, reports a client whose FUSE requests stay unanswered across two scans as hung without
 * waiting for a probe (D6), and unmounts healthy mounts left without attachments (including BUSY
 * retries; only with a free operation permit). Neither unmount happens while a hypervisor guest
 * uses a file of the mount, or the guests cannot be asked (F6). A directory whose lock is held is
 * skipped this round; a directory remounted behind the driver's back (another connection than
 * the recorded one) is left alone.
 *
 * <p>A Quobyte mount under the base that this driver has no record of may belong to another agent
 * on the host (same layout as Nova, Cinder and os-brick): it is counted and left alone.
 */
final class Watchdog {

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

    private final MountRecords records;
    private final DirectoryLocks locks;
    private final MountLifecycle lifecycle;
    private final MountLayout layout;
    private final Counters counters;
    private final FuseControl fuse;
    private final HangWatch hangs;
    private final UnmountGuard guard;
    private volatile boolean controlWarned;

    Watchdog(MountRecords records, DirectoryLocks locks, MountLifecycle lifecycle, MountLayout layout, Counters counters,
            FuseControl fuse, UnmountGuard guard) {
        this.records = records;
        this.guard = guard;
        this.locks = locks;
        this.lifecycle = lifecycle;
        this.layout = layout;
        this.counters = counters;
        this.fuse = fuse;
        this.hangs = new HangWatch(fuse);
    }

    /** One pass. */
    void scan() {
        counters.increment("watchdog.scans");
        Set<Path> dirs = records.directories();
        List<MountEntry> entries = lifecycle.tableOrNull();
        if (entries == null) {
            return;
        }
        countUnrecorded(entries, dirs);
        hangs.retain(dirs);
        if (records.all().stream().anyMatch(r -> r.connection() != null)) {
            controlMounted();
        }
        for (Path dir : dirs) {
            DirectoryLocks.Lease lease = locks.tryLockNow(dir);
            if (lease == null) {
                continue;
            }
            try (lease) {
                MountRecord rec = records.open(dir);
                try {
                    scanOne(rec);
                } finally {
                    records.forgetIfIdle(rec);
                }
            } catch (VolumeDriverException ex) {
                LOG.warn("watchdog: {} could not be handled ({})", dir, ex.code());
            }
        }
    }

    /** The waiting counts need fusectl; a failure to mount it is logged once and the scan goes on without them. */
    private void controlMounted() {
        try {
            String done = fuse.ensureMounted();
            if (!done.isEmpty()) {
                LOG.info("watchdog: {}", done);
            }
            controlWarned = false;
        } catch (VolumeDriverException e) {
            if (!controlWarned) {
                controlWarned = true;
                LOG.warn("watchdog: FUSE requests cannot be watched ({}): hung clients are found by their probes only", e.getMessage());
            }
        }
    }

    private void countUnrecorded(List<MountEntry> entries, Set<Path> dirs) {
        long unrecorded = entries.stream().map(lifecycle::quobyteMountDirectory)
                .filter(p -> p.isPresent() && !dirs.contains(p.get())).count();
        if (unrecorded > 0) {
            counters.increment("watchdog.unrecorded.mounts", unrecorded);
            LOG.debug("watchdog: {} Quobyte mount(s) under the base have no recorded attachments here; left alone", unrecorded);
        }
    }

    private void scanOne(MountRecord rec) throws VolumeDriverException {
        Optional<MountEntry> m = lifecycle.visible(rec.dir);
        if (m.isEmpty() || !lifecycle.isOurs(m.get())) {
            if (rec.hasAttachments() && rec.state() != MountState.NOT_MOUNTED) {
                LOG.warn("watchdog: {} has {} attachment(s) but is not mounted", rec.dir, rec.attachments().size());
            }
            rec.notMounted(rec.hasAttachments() ? "attachments recorded but not mounted" : "");
            records.uncount(rec);
            hangs.forget(rec.dir);
            return;
        }
        FuseConnection recorded = rec.connection();
        if (ConnectionAborter.remountedBehindOurBack(rec, m.get(), lifecycle.mountIdAt(rec.dir))) {
            counters.increment("watchdog.connection.mismatch");
            LOG.warn("watchdog: {} was remounted behind this driver's back (connection {} recorded, {} mounted); left alone",
                    rec.dir, recorded, FuseConnection.of(m.get()).map(FuseConnection::toString).orElse("unknown"));
            hangs.forget(rec.dir);
            return;
        }
        OptionalLong stuck = recorded == null ? OptionalLong.empty() : hangs.stuck(rec.dir, recorded);
        if (stuck.isPresent()) {
            counters.increment("watchdog.hung");
            lifecycle.stale(rec, "hung: " + stuck.getAsLong() + " request(s) unanswered across two scans (connection " + recorded + ")");
            if (rec.hasAttachments()) {
                counters.increment("watchdog.stale.in.use");
                LOG.warn("watchdog: {} is hung ({} FUSE request(s) unanswered across two scans) and used by {} attachment(s); "
                        + "an administrator can force a heal", rec.dir, stuck.getAsLong(), rec.attachments().size());
                return;
            }
            // idle: healed below once its probe agrees, so that a client that still answers is never aborted
        }
        ProbeResult p = lifecycle.probe(rec);
        if (p.isHealthy()) {
            if (!rec.hasAttachments()) {
                // idle (we hold its lock and nothing is attached): garbage, whether a refused (BUSY)
                // unmount, a disconnect that failed after removing the last attachment, or a
                // connect whose journal write failed; unless a guest uses it (F6): then it stays until none does
                if (guard.keeps(rec, "the watchdog's unmount of an idle mount")) {
                    counters.increment("watchdog.kept.by.guest");
                } else if (lifecycle.unmountIdle(rec)) {
                    counters.increment("watchdog.idle.unmounts");
                } else {
                    LOG.info("watchdog: idle mount {} is still mounted ({}); retried next round", rec.dir, rec.state());
                }
                return;
            }
            rec.healthy();
            return;
        }
        if (rec.hasAttachments()) {
            counters.increment("watchdog.stale.in.use");
            LOG.warn("watchdog: {} is stale ({}) and used by {} attachment(s); an administrator can force a heal",
                    rec.dir, p.detail(), rec.attachments().size());
            return;
        }
        if (guard.keeps(rec, "the watchdog's heal of an idle stale mount")) {
            counters.increment("watchdog.kept.by.guest");
            return;
        }
        LOG.warn("watchdog: healing idle stale mount {} ({})", rec.dir, p.detail());
        long started = System.nanoTime();
        lifecycle.unmountForHeal(rec, m.get(), p.timedOut(), p.detail(), new HealSteps(rec.dir, counters));
        hangs.forget(rec.dir);
        counters.increment("watchdog.heals");
        rec.notMounted("healed: unmounted");
        layout.removeIfEmpty(rec.dir);
        lifecycle.healed(rec, started);
    }
}
