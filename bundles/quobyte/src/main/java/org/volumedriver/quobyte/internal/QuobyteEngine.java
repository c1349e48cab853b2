package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.quobyte.HealReport;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.quobyte.QuobyteMount;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.ValidatedVolume;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.GuestUsage;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeLocation;

/**
 * The Quobyte driver's connect, disconnect and heal, independent of OSGi. It validates the request,
 * takes the mount directory's lease, and drives the mount's lifecycle and the attachment journal;
 * the state lives in {@link MountRecords}, the locks in {@link DirectoryLocks}, the commands behind
 * a {@link Mounter} and a {@link FuseControl}, heals in {@link MountHealer}, the periodic pass in
 * {@link Watchdog}, disconnects in {@link Disconnection}; what guests show is judged by
 * {@link VolumeOwnership} and taken on by {@link Adoption}, and every unmount nobody forced asks
 * the {@link UnmountGuard} first.
 */
public final class QuobyteEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuobyteEngine.class);
    static final String STATE_DIR = ".volumedriver";

    private final Settings settings;
    private final MountLayout layout;
    private final HealthProbe probe;
    private final SystemdDecision systemd;
    private final Counters counters = new Counters();
    private final Journal journal;
    private final Path stateDir;
    private final MountRecords records;
    private final DirectoryLocks locks;
    private final MountLifecycle lifecycle;
    private final Watchdog watchdog;
    private final MountListing listing;
    private final MountHealer healer;
    private final UnmountGuard guard;
    private final Disconnection disconnection;
    private final VolumeOwnership ownership;
    private final Adoption adoption;

    /**
     * The production wiring: {@code mount.quobyte}, {@code umount} and the FUSE control commands
     * through the executor.
     *
     * @param settings checked settings
     * @param executor runs every command
     * @param table the mount table
     * @param probe the health probe
     * @param systemd the systemd decision
     * @param uid the effective uid directories must belong to
     */
    public QuobyteEngine(Settings settings, CommandExecutor executor, MountTable table, HealthProbe probe,
            SystemdDecision systemd, int uid) {
        this(settings, new CommandMounter(settings, executor, table, systemd, probe::forget),
                new CommandFuseControl(executor, table, settings.umountTimeout), probe, systemd, uid);
    }

    /** An engine without a FUSE control file system (nothing is ever aborted), for tests. */
    QuobyteEngine(Settings settings, Mounter mounter, HealthProbe probe, SystemdDecision systemd, int uid) {
        this(settings, mounter, FuseControl.NONE, probe, systemd, uid);
    }

    /**
     * @param settings checked settings
     * @param mounter mounts, unmounts and reads the mount table
     * @param fuse the FUSE control file system
     * @param probe the health probe
     * @param systemd the systemd decision
     * @param uid the effective uid directories must belong to
     */
    QuobyteEngine(Settings settings, Mounter mounter, FuseControl fuse, HealthProbe probe, SystemdDecision systemd, int uid) {
        this.settings = settings;
        this.layout = new MountLayout(settings.mountBase, settings.directoryMode, uid, settings.directoryGroup);
        this.probe = probe;
        this.systemd = systemd;
        this.stateDir = settings.mountBase.resolve(STATE_DIR);
        this.records = new MountRecords(settings.maxMounts);
        this.journal = new Journal(settings.journal, records::snapshot, settings.journalSync);
        this.locks = new DirectoryLocks(stateDir, settings.lockTimeout, settings.maxConcurrentOperations,
                settings.operationQueueTimeout, counters);
        this.guard = new UnmountGuard(counters);
        this.lifecycle = new MountLifecycle(settings, layout, mounter, probe, systemd, records, locks, counters,
                new ConnectionAborter(settings.healAbort, fuse), guard);
        this.watchdog = new Watchdog(records, locks, lifecycle, layout, counters, fuse, guard);
        this.listing = new MountListing(records, locks, lifecycle, fuse);
        this.healer = new MountHealer(lifecycle, layout, counters, guard);
        this.disconnection = new Disconnection(settings, records, locks, lifecycle, journal, counters, guard);
        this.ownership = new VolumeOwnership(settings, layout, lifecycle, probe, new BoundedLstat());
        this.adoption = new Adoption(settings, layout, records, locks, lifecycle, ownership, journal, counters);
    }

    /**
     * Benchmark baseline only: one lock for every export, as the original driver had.
     *
     * @param value whether to use the single lock
     */
    public void useSingleGlobalLock(boolean value) {
        locks.useSingleGlobalLock(value);
    }

    /** @return the settings */
    public Settings settings() {
        return settings;
    }

    /** @return the systemd decision */
    public SystemdDecision systemdDecision() {
        return systemd;
    }

    /** @return the counters */
    public Counters counters() {
        return counters;
    }

    /**
     * Checks the base, the client configuration and the journal location, then recovers the
     * journaled attachments and reconciles them with the mount table (E7).
     *
     * @throws VolumeDriverException if the layout or configuration is unsafe
     */
    public void start() throws VolumeDriverException {
        layout.checkBase();
        layout.ensurePrivateDirectory(stateDir);
        lifecycle.checkClientConfig();
        if (!settings.journal.getParent().equals(stateDir)) {
            layout.checkJournalDirectory(settings.journal.getParent());
        }
        records.recover(journal.readOrSetAside(), lifecycle.tableOrNull(), lifecycle::isOurs,
                dir -> probe.probe(dir, settings.probeTimeout), settings.mountBase::resolve, lifecycle::mountIdAt);
        try {
            journal.open();
        } catch (IOException e) {
            throw new VolumeDriverException("JOURNAL_FAILED", "the attachment journal " + settings.journal
                    + " cannot be written (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    // ---------------------------------------------------------------- validation

    VolumeTarget resolve(ConnectionInfo info) throws VolumeDriverException {
        return VolumeTarget.resolve(info, layout, settings.volumeNamePattern);
    }

    /**
     * @param info connection info
     * @return the validated volume
     * @throws VolumeDriverException the typed reason
     */
    public ValidatedVolume validate(ConnectionInfo info) throws VolumeDriverException {
        return resolve(info).validated();
    }

    /**
     * @param info connection info
     * @return the disk, without touching anything
     * @throws VolumeDriverException the typed reason
     */
    public DiskSpec describeDisk(ConnectionInfo info) throws VolumeDriverException {
        return resolve(info).diskSpec();
    }

    // ---------------------------------------------------------------- connect / disconnect

    /**
     * Connects an attachment (E1–E5, E8).
     *
     * @param info connection info
     * @param attachment the attachment
     * @return the disk
     * @throws VolumeDriverException the typed failure; nothing is left half done
     */
    public DiskSpec connect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        counters.increment("connects");
        try {
            VolumeTarget t = resolve(info);
            t.checkAttachment(attachment);
            long ticket = -1;
            boolean madeMount = false;
            try (DirectoryLocks.Lease lease = locks.lock(t.dir())) {
                MountRecord rec = records.open(t.dir());
                try {
                    if (rec.export() != null && !rec.export().equals(t.export().stripped())) {
                        throw new UnsafePathException(t.dir().toString(), "is already used by a different export with the same hash");
                    }
                    rec.export(t.export().stripped());
                    boolean mountedNow = lifecycle.ensureMounted(rec);
                    madeMount = mountedNow;
                    try {
                        Qcow2Inspector.check(t.volumePath(), t.format(), settings.volumeNamePattern);
                    } catch (VolumeDriverException e) {
                        if (mountedNow && !rec.hasAttachments()) {
                            lifecycle.undoMount(rec, "volume file refused");
                        }
                        throw e;
                    }
                    boolean first = !rec.hasAttachments();
                    if (rec.add(attachment)) {
                        List<Journal.Op> ops = new ArrayList<>(3);
                        if (first) {
                            // the journal knows a directory's export while it has attachments: told with the first
                            ops.add(Journal.Op.mount(rec.hash, rec.export()));
                        }
                        Optional.ofNullable(rec.takeConnectionChange()).ifPresent(ops::add);
                        ops.add(Journal.Op.add(rec.hash, attachment));
                        ticket = journal.enqueue(ops);
                        if (locks.singleGlobalLock()) {
                            // the baseline holds its one lock for the whole operation, as the original did
                            awaitJournal(ticket, t.dir(), attachment, mountedNow);
                            ticket = -1;
                        }
                    }
                } finally {
                    records.forgetIfIdle(rec);
                }
            }
            if (ticket >= 0) {
                // the directory lock is released while the journal syncs: concurrent connects share one fsync
                awaitJournal(ticket, t.dir(), attachment, madeMount);
            }
            return t.diskSpec();
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            throw e;
        }
    }

    /**
     * Waits until a connect's journal entry is durable; if it cannot be, the attachment is
     * withdrawn, and a mount this connect made is undone when no attachment remains on it.
     */
    private void awaitJournal(long ticket, Path dir, Attachment attachment, boolean mountedNow) throws VolumeDriverException {
        try {
            journal.await(ticket);
        } catch (IOException e) {
            counters.increment("journal.failures");
            LOG.error("the attachment journal could not be written ({}); the attachment is withdrawn", e.getClass().getSimpleName());
            boolean held = locks.isHeldByCurrentThread(dir);
            try (DirectoryLocks.Lease lease = held ? null : locks.lock(dir)) {
                MountRecord rec = records.find(dir);
                if (rec != null) {
                    rec.remove(attachment);
                    journal.enqueue(List.of(Journal.Op.remove(rec.hash, attachment)));
                    if (mountedNow && !rec.hasAttachments() && rec.counted) {
                        lifecycle.undoMount(rec, "its attachment could not be journaled");
                    }
                }
            }
            throw new VolumeDriverException("JOURNAL_FAILED", "the attachment journal could not be written ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    /**
     * Disconnects an attachment; the last one unmounts unless a guest still uses the mount (E2, E6, F6).
     *
     * @param info connection info
     * @param attachment the attachment
     * @return the outcome
     * @throws VolumeDriverException the typed failure
     */
    public DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        counters.increment("disconnects");
        try {
            VolumeTarget t = resolve(info);
            t.checkAttachment(attachment);
            return disconnection.disconnect(t.dir(), attachment);
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            throw e;
        }
    }

    // ---------------------------------------------------------------- the hypervisor's view (F5, F6)

    /**
     * @param usage where the hypervisor's guest-usage service is read at each unmount; answers
     *        {@code null} while there is none (then every unmount goes ahead)
     */
    void guestUsage(Supplier<GuestUsage> usage) {
        guard.source(usage);
    }

    /**
     * @param source an absolute, lexically normalized disk source of a guest
     * @return where the volume file is, if the path is below the mount base
     * @throws VolumeDriverException if it is below the base but refused
     */
    public Optional<VolumeLocation> ownerOf(Path source) throws VolumeDriverException {
        return ownership.ownerOf(source);
    }

    /**
     * Records and journals an attachment a guest shows, as a connect would.
     *
     * @param where the volume file
     * @param attachment the attachment
     * @return whether it was recorded now
     * @throws VolumeDriverException the typed refusal; nothing was recorded
     */
    public boolean adopt(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        try {
            long ticket = adoption.adopt(where, attachment);
            if (ticket < 0) {
                return false;
            }
            awaitJournal(ticket, where.directory(), attachment, false);
            return true;
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            throw e;
        }
    }

    /**
     * A disconnect by location, for an attachment no guest uses.
     *
     * @param where the mount directory and the volume
     * @param attachment the attachment
     * @return the outcome
     * @throws VolumeDriverException the typed failure
     */
    public DisconnectOutcome release(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        counters.increment("releases");
        try {
            return disconnection.disconnect(adoption.releasable(where, attachment), attachment);
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            throw e;
        }
    }

    // ---------------------------------------------------------------- admin

    /**
     * Probes one managed mount and heals it if it is stale (E4, D5).
     *
     * @param mountDirectory the mount directory
     * @param force heal even with attachments
     * @return the status afterwards
     * @throws VolumeDriverException the typed failure
     */
    public MountStatus heal(String mountDirectory, boolean force) throws VolumeDriverException {
        return healReport(mountDirectory, force).status();
    }

    /**
     * {@link #heal(String, boolean)}, with each step it took.
     *
     * @param mountDirectory the mount directory
     * @param force heal even with attachments
     * @return the status afterwards and the steps
     * @throws VolumeDriverException the typed failure
     */
    public HealReport healReport(String mountDirectory, boolean force) throws VolumeDriverException {
        Path dir;
        try {
            dir = mountDirectory == null ? null : Path.of(mountDirectory);
        } catch (RuntimeException e) {
            dir = null;
        }
        if (dir == null || !layout.isMountDirectory(dir) || !dir.toString().equals(mountDirectory)) {
            throw new UnsafePathException(Redactor.quote(mountDirectory), "is not a mount directory of " + layout.base());
        }
        try (DirectoryLocks.Lease lease = locks.lock(dir)) {
            MountRecord rec = records.open(dir);
            try {
                List<HealStep> steps = healer.heal(rec, force);
                journalConnection(rec);
                return new HealReport(rec.status(), steps);
            } finally {
                records.forgetIfIdle(rec);
            }
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            throw e;
        }
    }

    /** A remount under attachments has a new connection: journaled so that a restart knows it (D4); a failure is only logged. */
    private void journalConnection(MountRecord rec) {
        Journal.Op change = rec.hasAttachments() && rec.export() != null ? rec.takeConnectionChange() : null;
        if (change == null) {
            return;
        }
        try {
            journal.append(List.of(Journal.Op.mount(rec.hash, rec.export()), change));
        } catch (IOException e) {
            counters.increment("journal.failures");
            LOG.error("the attachment journal could not be written ({})", e.getClass().getSimpleName());
        }
    }

    /** @return the managed mounts and Quobyte mounts found under the base, probed now */
    public List<MountStatus> mounts() {
        return listing.mounts().stream().map(QuobyteMount::status).toList();
    }

    /** @return {@link #mounts()} with each mount's FUSE connection and unanswered requests */
    public List<QuobyteMount> mountDetails() {
        return listing.mounts();
    }

    /** @return the counters by name */
    public Map<String, Long> counterSnapshot() {
        Map<String, Long> out = counters.snapshot();
        out.put("mounted", (long) records.mountedCount());
        long[] j = journal.statistics();
        out.put("journal.changes", j[0]);
        out.put("journal.syncs", j[1]);
        out.put("journal.sync.ms", j[2]);
        return out;
    }

    /** One watchdog pass; see {@link Watchdog}. */
    public void watchdogScan() {
        watchdog.scan();
    }

    /** @return the journal (tests inject write faults into it) */
    Journal journal() {
        return journal;
    }

    /**
     * @param dir a mount directory
     * @return whether threads of this process wait for its lock (for interleaving tests)
     */
    boolean hasWaiters(Path dir) {
        return locks.hasWaiters(dir);
    }

    /**
     * @param attachment an attachment
     * @return whether it is recorded, from memory: no probe, no process
     */
    public boolean isAttached(Attachment attachment) {
        return records.isAttached(attachment);
    }

    /** @return how many attachments are recorded in all */
    public int attachmentCount() {
        return records.attachmentCount();
    }

    /** Writes a final journal snapshot and closes the lock files. */
    @Override
    public void close() {
        locks.close();
        try {
            journal.close();
        } catch (IOException e) {
            counters.increment("journal.failures");
            LOG.error("the attachment journal could not be written ({})", e.getClass().getSimpleName());
        }
    }
}
