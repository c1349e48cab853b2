package org.volumedriver.quobyte.internal;

import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;

/**
 * An administrator's heal of one mount directory (E4): a healthy mount is left alone; a stale one
 * is cut loose (its hung client's connection aborted, D5; unmounted; its scope ended) and mounted
 * afresh while attachments remain; a mount in use (by attachments, or by a hypervisor guest as the
 * unmount guard reports, F6) only with {@code force}. The caller holds the directory's lease.
 */
final class MountHealer {

    private static final Logger LOG = LoggerFactory.getLogger(MountHealer.class);

    private final MountLifecycle lifecycle;
    private final MountLayout layout;
    private final Counters counters;
    private final UnmountGuard guard;

    MountHealer(MountLifecycle lifecycle, MountLayout layout, Counters counters, UnmountGuard guard) {
        this.lifecycle = lifecycle;
        this.layout = layout;
        this.counters = counters;
        this.guard = guard;
    }

    /**
     * @param rec the directory's record
     * @param force heal even with attachments
     * @return the steps taken, in order (none for a healthy mount)
     * @throws VolumeDriverException the typed failure; steps taken before it are logged and counted
     */
    List<HealStep> heal(MountRecord rec, boolean force) throws VolumeDriverException {
        long started = System.nanoTime();
        HealSteps steps = new HealSteps(rec.dir, counters);
        Optional<MountEntry> m = lifecycle.visible(rec.dir);
        if (m.isEmpty()) {
            if (rec.hasAttachments() && rec.export() != null) {
                LOG.warn("heal: {} has {} attachment(s) but is not mounted: mounting it", rec.dir, rec.attachments().size());
                lifecycle.mountFresh(rec, steps);
                lifecycle.healed(rec, started);
            } else {
                rec.notMounted("");
            }
            return steps.steps();
        }
        if (!lifecycle.isOurs(m.get())) {
            throw new UnsafePathException(rec.dir.toString(), "another file system type is mounted there");
        }
        ProbeResult p = lifecycle.probe(rec);
        if (p.isHealthy()) {
            rec.healthy();
            return steps.steps(); // never cut loose a client that answers
        }
        if (rec.hasAttachments() && !force) {
            throw new StaleMountInUseException(rec.dir.toString(), rec.attachments().size());
        }
        if (!force) {
            guard.refuseIfUsed(rec); // F6: no unmount under a running guest unless forced
        }
        if (rec.hasAttachments()) {
            LOG.warn("forced heal of {} with {} attachment(s) in use", rec.dir, rec.attachments().size());
        }
        lifecycle.unmountForHeal(rec, m.get(), p.timedOut(), p.detail(), steps);
        if (rec.hasAttachments() && rec.export() != null) {
            try {
                lifecycle.mountFresh(rec, steps);
            } catch (VolumeDriverException e) {
                counters.increment("heals"); // cut loose, not mounted again
                throw e;
            }
        } else {
            rec.notMounted("healed: unmounted");
            layout.removeIfEmpty(rec.dir);
        }
        lifecycle.healed(rec, started);
        return steps.steps();
    }
}
