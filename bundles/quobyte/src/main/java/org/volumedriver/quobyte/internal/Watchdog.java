package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The periodic pass over the mounts this driver knows (made by it or recovered from its journal):
 * heals idle stale mounts, reports stale mounts in use, and unmounts healthy mounts left without
 * attachments (including BUSY retries; only with a free operation permit). A directory whose lock
 * is held is skipped this round.
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

    Watchdog(MountRecords records, DirectoryLocks locks, MountLifecycle lifecycle, MountLayout layout, Counters counters) {
        this.records = records;
        this.locks = locks;
        this.lifecycle = lifecycle;
        this.layout = layout;
        this.counters = counters;
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
            return;
        }
        ProbeResult p = lifecycle.probe(rec);
        if (p.isHealthy()) {
            if (!rec.hasAttachments()) {
                // idle (we hold its lock and nothing is attached): garbage, whether a refused (BUSY)
                // unmount, a disconnect that failed after removing the last attachment, or a
                // connect whose journal write failed
                if (lifecycle.unmountIdle(rec)) {
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
        LOG.warn("watchdog: healing idle stale mount {} ({})", rec.dir, p.detail());
        lifecycle.unmountForHeal(rec);
        counters.increment("heals");
        counters.increment("watchdog.heals");
        rec.notMounted("healed: unmounted");
        layout.removeIfEmpty(rec.dir);
    }
}
