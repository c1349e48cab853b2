package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.CommandTimedOutException;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.MountBusyException;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeEvents;

/**
 * The steps of one mount's life — mount, prove healthy, heal, unmount — each keeping the mount's
 * record and the mounted-count true. The caller holds the directory's lease.
 */
final class MountLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(MountLifecycle.class);

    private final Settings settings;
    private final MountLayout layout;
    private final Mounter mounter;
    private final HealthProbe probe;
    private final SystemdDecision systemd;
    private final MountRecords records;
    private final DirectoryLocks locks;
    private final Counters counters;
    private final ConnectionAborter aborter;
    private final UnmountGuard guard;
    private final Telemetry telemetry;
    private final ClientScopes scopes;

    MountLifecycle(Settings settings, MountLayout layout, Mounter mounter, HealthProbe probe, SystemdDecision systemd,
            MountRecords records, DirectoryLocks locks, Counters counters, ConnectionAborter aborter, UnmountGuard guard,
            Telemetry telemetry) {
        this.settings = settings;
        this.telemetry = telemetry;
        this.scopes = new ClientScopes(mounter, counters);
        this.guard = guard;
        this.layout = layout;
        this.mounter = mounter;
        this.probe = probe;
        this.systemd = systemd;
        this.records = records;
        this.locks = locks;
        this.counters = counters;
        this.aborter = aborter;
    }

    /** The client configuration passed with {@code -c} must be a regular file nobody else can change (C4). */
    void checkClientConfig() throws InvalidConfigurationException {
        if (settings.clientConfig.isEmpty()) {
            return;
        }
        Path cfg = settings.clientConfig.get();
        try {
            PosixFileAttributes a = Files.readAttributes(cfg, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new InvalidConfigurationException("client.config", "is not a regular file");
            }
            int mode = (Integer) Files.getAttribute(cfg, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0022) != 0) {
                throw new InvalidConfigurationException("client.config", "is group- or world-writable");
            }
        } catch (IOException e) {
            throw new InvalidConfigurationException("client.config", "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** @return the mount table, or {@code null} (logged) when it cannot be read */
    List<MountEntry> tableOrNull() {
        try {
            return mounter.table();
        } catch (VolumeDriverException e) {
            LOG.error("mount table unreadable: {}", e.getMessage());
            return null;
        }
    }

    Optional<MountEntry> visible(Path dir) throws VolumeDriverException {
        return mounter.mountedAt(dir);
    }

    /** @return the kernel's unique id of the mount at a directory, if it has one (D4) */
    OptionalLong mountIdAt(Path dir) {
        return mounter.mountIdAt(dir);
    }

    boolean isOurs(MountEntry entry) {
        return entry.isQuobyte(settings.legacyFuse);
    }

    /**
     * @param entry a mount table entry
     * @return its mount point if it is a Quobyte client mount on a mount directory of the base
     */
    Optional<Path> quobyteMountDirectory(MountEntry entry) {
        if (!isOurs(entry)) {
            return Optional.empty();
        }
        Path p;
        try {
            p = Path.of(entry.mountPoint());
        } catch (RuntimeException e) {
            return Optional.empty(); // not a path we manage
        }
        return layout.isMountDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** Probes a mount; an unhealthy answer is recorded as STALE and counted. */
    ProbeResult probe(MountRecord rec) {
        ProbeResult p = probe.probe(rec.dir, settings.probeTimeout);
        if (p.timedOut()) {
            counters.increment("probe.timeouts");
        }
        if (!p.isHealthy()) {
            counters.increment("stale.detected");
            stale(rec, p.detail());
        }
        return p;
    }

    /** Records a mount as STALE; the event goes out when it turns so, not at each probe that agrees. */
    void stale(MountRecord rec, String why) {
        boolean turned = rec.state() != MountState.STALE;
        rec.stale(why);
        if (turned) {
            telemetry.stale(rec, why);
        }
    }

    /** Records an unmount refused because the file system is in use, as {@link #stale} does. */
    void busy(MountRecord rec, String why, String operation, long started) {
        boolean turned = rec.state() != MountState.BUSY;
        rec.busy(why);
        telemetry.time(Telemetry.UNMOUNT, "mount_busy", System.nanoTime() - started);
        if (turned) {
            telemetry.busy(rec, operation);
        }
    }

    /** An unmount ran out of time: the client hangs, the mount is STALE. */
    void unmountTimedOut(MountRecord rec, String why, long started) {
        telemetry.time(Telemetry.UNMOUNT, "command_timed_out", System.nanoTime() - started);
        stale(rec, why);
    }

    /** A heal is done; {@code started} is when it began. */
    void healed(MountRecord rec, long started) {
        counters.increment("heals");
        telemetry.healed(rec, System.nanoTime() - started);
    }

    /**
     * Makes sure a healthy Quobyte mount is at the record's directory (E3, E4). When the mount on
     * top of the directory is still the one this driver made or adopted there, the mount table is
     * not read: see {@link #isStillTheRecordedMount(MountRecord)}.
     *
     * @return whether this call mounted it
     */
    boolean ensureMounted(MountRecord rec) throws VolumeDriverException {
        MountEntry found = null; // the table is read only when the recorded mount's id cannot vouch for it
        if (!isStillTheRecordedMount(rec)) {
            found = quobyteMountAt(rec);
            if (found == null) {
                mountFresh(rec);
                return true;
            }
        }
        ProbeResult p = probe(rec);
        if (p.isHealthy()) {
            rec.healthy();
            if (found != null) {
                // a mount made before we knew about it (another agent, or before a crash)
                records.adopt(rec, found, () -> mounter.mountIdAt(rec.dir));
            }
            return false; // E3: nothing runs
        }
        if (p.verdict() == ProbeResult.Verdict.ERROR) {
            throw new MountUnhealthyException(rec.dir.toString(), p.detail());
        }
        if (rec.hasAttachments()) {
            throw new StaleMountInUseException(rec.dir.toString(), rec.attachments().size());
        }
        if (found == null) {
            // the heal acts on what the table shows now
            found = quobyteMountAt(rec);
            if (found == null) {
                mountFresh(rec);
                return true;
            }
        }
        // F6: a heal on the way of a connect is a heal without force
        guard.refuseIfUsed(rec);
        LOG.warn("mount {} is stale ({}) and unused: healing it", rec.dir, p.detail());
        long healStarted = System.nanoTime();
        HealSteps steps = new HealSteps(rec.dir, counters);
        unmountForHeal(rec, found, p.timedOut(), p.detail(), steps);
        mountFresh(rec, steps);
        healed(rec, healStarted);
        return true;
    }

    /**
     * Whether the mount on top of the record's directory is the very mount this driver made or
     * adopted there, which the mount table showed as a Quobyte client mount then (D1): the
     * kernel's unique mount id (Linux 6.8+) is never given to another mount while the host runs,
     * so an equal id says all a fresh read of the table would. The id is asked without a request
     * to the FUSE server; a mount stacked on top, an unmount behind our back or a kernel without
     * unique ids answers false, and the table decides as before.
     */
    private boolean isStillTheRecordedMount(MountRecord rec) {
        long recorded = rec.mountId();
        if (!rec.counted || recorded == 0) {
            return false;
        }
        OptionalLong now = mounter.mountIdAt(rec.dir);
        return now.isPresent() && now.getAsLong() == recorded;
    }

    /**
     * @return the Quobyte mount the table shows on top of the record's directory, null if nothing is mounted there
     * @throws UnsafePathException if another file system is
     */
    private MountEntry quobyteMountAt(MountRecord rec) throws VolumeDriverException {
        Optional<MountEntry> m = visible(rec.dir);
        if (m.isPresent() && !isOurs(m.get())) {
            throw new UnsafePathException(rec.dir.toString(), "another file system type is mounted there");
        }
        return m.orElse(null);
    }

    /** Mounts the record's export on its directory, proves the mount healthy, or undoes everything (C3, E5, E8). */
    void mountFresh(MountRecord rec) throws VolumeDriverException {
        mountFresh(rec, null);
    }

    /**
     * {@link #mountFresh(MountRecord)} as the last step of a heal, reported in {@code steps}.
     *
     * @param rec the record
     * @param steps the heal's steps, or null when this mount is no heal
     */
    void mountFresh(MountRecord rec, HealSteps steps) throws VolumeDriverException {
        long started = System.nanoTime();
        try {
            mountFreshOnce(rec, steps);
            telemetry.mounted(rec, System.nanoTime() - started);
        } catch (VolumeDriverException e) {
            telemetry.time(Telemetry.MOUNT, Telemetry.outcome(e), System.nanoTime() - started);
            if (steps != null) {
                steps.add(HealStep.Action.REMOUNT, HealStep.Outcome.FAILED, e.code() + ": " + e.getMessage());
            }
            throw e;
        }
        if (steps != null) {
            steps.add(HealStep.Action.REMOUNT, HealStep.Outcome.DONE, connectionDetail(rec));
        }
    }

    private static String connectionDetail(MountRecord rec) {
        return rec.connection() == null ? "" : "connection " + rec.connection();
    }

    private void mountFreshOnce(MountRecord rec, HealSteps steps) throws VolumeDriverException {
        checkClientConfig();
        DirectoryLocks.Permit permit = locks.acquireOperation();
        boolean reserved = false;
        boolean ok = false;
        boolean created = false;
        try {
            if (!rec.counted) {
                records.reserve();
                reserved = true;
            }
            created = layout.prepare(rec.dir);
            if (steps == null || !steps.has(HealStep.Action.END_SCOPE)) {
                scopes.endOldClientScope(rec.dir, steps);
            }
            long started = System.nanoTime();
            Mounter.Outcome r = mounter.mount(rec.export(), rec.dir);
            if (!r.succeeded()) {
                counters.increment("mount.failures");
                cleanupFailedMount(rec);
                if (r.timedOut()) {
                    throw new CommandTimedOutException(settings.mountCommand, settings.mountTimeout);
                }
                // C3: only 0 is success (the original accepted 4)
                throw new CommandFailedException(settings.mountCommand, r.exitStatus(), null);
            }
            Optional<MountEntry> appeared = awaitMount(rec.dir);
            if (appeared.isEmpty()) {
                counters.increment("mount.failures");
                cleanupFailedMount(rec);
                throw new MountUnhealthyException(rec.dir.toString(), "the mount command succeeded but no Quobyte mount appeared within "
                        + settings.mountAppearTimeout.toMillis() + " ms");
            }
            ProbeResult p = probe.probe(rec.dir, settings.probeTimeout);
            if (!p.isHealthy()) {
                counters.increment("mount.failures");
                cleanupFailedMount(rec);
                throw new MountUnhealthyException(rec.dir.toString(), "validation after mounting failed: " + p.detail());
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            counters.increment("mounts");
            counters.mountLatency(millis);
            rec.counted = true;
            rec.connection(FuseConnection.of(appeared.get()).orElse(null), mounter.mountIdAt(rec.dir).orElse(0));
            rec.healthy();
            ok = true;
            LOG.info("mounted {} on {} in {} ms{}", Redactor.redactText(rec.export()), rec.dir, millis,
                    systemd.useScope() ? " (systemd scope)" : "");
        } catch (VolumeDriverException e) {
            if (created && !ok) {
                layout.removeIfEmpty(rec.dir);
            }
            throw e;
        } finally {
            if (!ok && reserved) {
                records.cancelReservation();
            }
            permit.release();
        }
    }

    private Optional<MountEntry> awaitMount(Path dir) throws VolumeDriverException {
        long deadline = System.nanoTime() + settings.mountAppearTimeout.toNanos();
        while (true) {
            Optional<MountEntry> m = visible(dir);
            if (m.isPresent() && isOurs(m.get())) {
                return m;
            }
            if (System.nanoTime() >= deadline) {
                return Optional.empty();
            }
            DirectoryLocks.sleep(10);
        }
    }

    /** After a failed or refused mount: remove whatever got mounted, then the directory (C3, E5). */
    private void cleanupFailedMount(MountRecord rec) {
        try {
            if (visible(rec.dir).isPresent()) {
                mounter.unmountOrDetach(rec.dir, "after a failed mount");
            }
        } catch (VolumeDriverException e) {
            LOG.error("could not clean up {} after a failed mount ({})", rec.dir, e.code());
        }
        layout.removeIfEmpty(rec.dir);
        rec.notMounted("mount failed");
    }

    /** Takes back a mount this operation made, when what it was made for failed (E5). */
    void undoMount(MountRecord rec, String why) {
        LOG.warn("undoing the mount of {}: {}", rec.dir, why);
        long started = System.nanoTime();
        try {
            if (mounter.unmountOrDetach(rec.dir, "undoing a mount")) {
                unmounted(rec, started);
            }
        } catch (VolumeDriverException e) {
            LOG.error("could not undo the mount of {} ({})", rec.dir, e.code());
        }
    }

    /**
     * Cuts a stale client loose for a heal, each step reported: a hung client's FUSE connection is
     * aborted (D5), then the mount is unmounted, normal first and lazy as the logged last resort
     * (E4), then the old client's scope is ended (C2). A mount whose recorded connection the table
     * no longer shows is refused before anything runs.
     *
     * @param rec the record
     * @param mounted the table's entry at its directory, read under its lock
     * @param hung whether the client is hung rather than dead
     * @param verdict what the probe or the watchdog saw
     * @param steps the heal's steps
     */
    void unmountForHeal(MountRecord rec, MountEntry mounted, boolean hung, String verdict, HealSteps steps)
            throws VolumeDriverException {
        ConnectionAborter.requireRecorded(rec, mounted, mounter.mountIdAt(rec.dir));
        DirectoryLocks.Permit permit = locks.acquireOperation();
        try {
            aborter.abortIfHung(rec, hung, verdict, steps);
            long started = System.nanoTime();
            Mounter.Outcome normal = mounter.unmount(rec.dir, false);
            boolean gone = visible(rec.dir).isEmpty();
            steps.add(HealStep.Action.UNMOUNT, gone ? HealStep.Outcome.DONE : HealStep.Outcome.FAILED,
                    gone ? "" : "still mounted (exit status " + normal.exitStatus() + (normal.timedOut() ? ", timed out" : "") + ")");
            if (gone) {
                steps.add(HealStep.Action.LAZY_UNMOUNT, HealStep.Outcome.NOT_NEEDED, "");
            } else {
                LOG.warn("lazy unmount of {} as the last resort (stale mount)", rec.dir);
                Mounter.Outcome lazy = mounter.unmount(rec.dir, true);
                gone = visible(rec.dir).isEmpty();
                steps.add(HealStep.Action.LAZY_UNMOUNT, gone ? HealStep.Outcome.DONE : HealStep.Outcome.FAILED,
                        gone ? "" : "still mounted (exit status " + lazy.exitStatus() + (lazy.timedOut() ? ", timed out" : "") + ")");
            }
            if (!gone) {
                busy(rec, "stale and could not be unmounted", VolumeEvents.OP_HEAL, started);
                throw new MountBusyException(rec.dir.toString());
            }
            records.uncount(rec);
            counters.increment("unmounts");
            telemetry.unmounted(rec, System.nanoTime() - started);
            scopes.endOldClientScope(rec.dir, steps);
        } finally {
            permit.release();
        }
    }

    /**
     * One normal unmount of the last user's mount (E6).
     *
     * @return the command's outcome; whether the mount is gone is read from the table by the caller
     */
    Mounter.Outcome unmountOnce(Path dir) throws VolumeDriverException {
        return mounter.unmount(dir, false);
    }

    /**
     * Unmounts a healthy Quobyte mount that has no attachments (the caller holds its directory
     * lock and checked both). Takes an operation permit without waiting: without one nothing runs
     * and the watchdog retries next round. A refused unmount leaves it BUSY.
     *
     * @return whether it is gone, according to a fresh read of the mount table
     */
    boolean unmountIdle(MountRecord rec) throws VolumeDriverException {
        DirectoryLocks.Permit permit = locks.tryOperationNow();
        if (permit == null) {
            return false;
        }
        try {
            long started = System.nanoTime();
            Mounter.Outcome r = mounter.unmount(rec.dir, false);
            if (visible(rec.dir).isEmpty()) {
                unmounted(rec, started);
                return true;
            }
            if (r.timedOut()) {
                unmountTimedOut(rec, "unmount of the idle mount timed out", started);
            } else {
                busy(rec, "unmount refused (exit status " + r.exitStatus() + "); still mounted", VolumeEvents.OP_UNMOUNT, started);
            }
            return false;
        } finally {
            permit.release();
        }
    }

    /** The mount went away without an unmount of ours (unmounted by hand, or never made): forget it. */
    void mountAlreadyGone(MountRecord rec) {
        records.uncount(rec);
        rec.notMounted("");
        layout.removeIfEmpty(rec.dir);
        records.forgetIfIdle(rec);
    }

    /**
     * Our unmount is verified: the directory goes, and the record unless attachments remain.
     *
     * @param rec the record
     * @param started when the unmount began
     */
    void unmounted(MountRecord rec, long started) {
        records.uncount(rec);
        counters.increment("unmounts");
        telemetry.unmounted(rec, System.nanoTime() - started);
        rec.notMounted("");
        if (!layout.removeIfEmpty(rec.dir)) {
            LOG.warn("mount directory {} was unmounted but is not empty; left in place", rec.dir);
        }
        records.forgetIfIdle(rec);
        LOG.info("unmounted {}", rec.dir);
    }
}
