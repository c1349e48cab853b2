package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.file.Path;
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
import org.volumedriver.spi.VolumeEvents;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeLocation;

/**
 * The Quobyte driver's connect, disconnect and heal, independent of OSGi. It validates the request,
 * takes the mount directory's lease, and drives the mount's lifecycle and the attachment journal;
 * the state lives in {@link MountRecords}, the locks in {@link DirectoryLocks}, the commands behind
 * a {@link Mounter} and a {@link FuseControl}, heals in {@link MountHealer}, the periodic pass in
 * {@link Watchdog}, connects in {@link Connection}, disconnects in {@link Disconnection}; what
 * guests show is judged by {@link VolumeOwnership} and taken on by {@link Adoption}, and every
 * unmount nobody forced asks the {@link UnmountGuard} first. For operations on attached volumes,
 * {@link ImageInspection} reads a file's header and {@link AttachmentFollow} moves an attachment to
 * another file of its volume. Events and timers go through {@link Telemetry}.
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
    private final Connection connection;
    private final ImageInspection inspection;
    private final AttachmentFollow following;
    private final Telemetry telemetry;

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
     * @param telemetry where events and timers go
     */
    public QuobyteEngine(Settings settings, CommandExecutor executor, MountTable table, HealthProbe probe,
            SystemdDecision systemd, int uid, Telemetry telemetry) {
        this(settings, new CommandMounter(settings, executor, table, systemd, probe::forget),
                new CommandFuseControl(executor, table, settings.umountTimeout), probe, systemd, uid, telemetry);
    }

    /** The production wiring without events or timers (benchmarks). */
    public QuobyteEngine(Settings settings, CommandExecutor executor, MountTable table, HealthProbe probe,
            SystemdDecision systemd, int uid) {
        this(settings, executor, table, probe, systemd, uid, new Telemetry());
    }

    /** An engine without a FUSE control file system (nothing is ever aborted), for tests. */
    QuobyteEngine(Settings settings, Mounter mounter, HealthProbe probe, SystemdDecision systemd, int uid) {
        this(settings, mounter, FuseControl.NONE, probe, systemd, uid, new Telemetry());
    }

    /** {@link #QuobyteEngine(Settings, Mounter, FuseControl, HealthProbe, SystemdDecision, int, Telemetry)} without telemetry. */
    QuobyteEngine(Settings settings, Mounter mounter, FuseControl fuse, HealthProbe probe, SystemdDecision systemd, int uid) {
        this(settings, mounter, fuse, probe, systemd, uid, new Telemetry());
    }

    /**
     * @param settings checked settings
     * @param mounter mounts, unmounts and reads the mount table
     * @param fuse the FUSE control file system
     * @param probe the health probe
     * @param systemd the systemd decision
     * @param uid the effective uid directories must belong to
     * @param telemetry where events and timers go
     */
    QuobyteEngine(Settings settings, Mounter mounter, FuseControl fuse, HealthProbe probe, SystemdDecision systemd, int uid,
            Telemetry telemetry) {
        this.settings = settings;
        this.layout = new MountLayout(settings.mountBase, settings.directoryMode, uid, settings.directoryGroup);
        this.telemetry = telemetry;
        this.probe = telemetry.timed(probe);
        this.systemd = systemd;
        this.stateDir = settings.mountBase.resolve(STATE_DIR);
        this.records = new MountRecords(settings.maxMounts);
        this.journal = new Journal(settings.journal, records::snapshot, settings.journalSync);
        this.locks = new DirectoryLocks(stateDir, settings.lockTimeout, settings.maxConcurrentOperations,
                settings.operationQueueTimeout, counters);
        this.guard = new UnmountGuard(counters);
        this.lifecycle = new MountLifecycle(settings, layout, mounter, this.probe, systemd, records, locks, counters,
                new ConnectionAborter(settings.healAbort, fuse), guard, telemetry);
        this.watchdog = new Watchdog(records, locks, lifecycle, layout, counters, fuse, guard);
        this.listing = new MountListing(records, locks, lifecycle, fuse);
        this.healer = new MountHealer(lifecycle, layout, counters, guard);
        this.disconnection = new Disconnection(settings, records, locks, lifecycle, journal, counters, guard);
        BoundedLstat looks = new BoundedLstat();
        this.ownership = new VolumeOwnership(settings, layout, lifecycle, this.probe, looks);
        this.adoption = new Adoption(settings, layout, records, locks, lifecycle, ownership, journal, counters);
        this.connection = new Connection(settings, records, locks, lifecycle, journal, counters);
        this.inspection = new ImageInspection(settings, records, ownership, looks);
        this.following = new AttachmentFollow(settings, layout, records, locks, journal, counters);
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
        long started = System.nanoTime();
        try {
            VolumeTarget t = resolve(info);
            t.checkAttachment(attachment);
            connection.connect(t, attachment);
            telemetry.connected(t, attachment, System.nanoTime() - started);
            return t.diskSpec();
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            telemetry.failed(VolumeEvents.OP_CONNECT, Telemetry.CONNECT, e, info, attachment, System.nanoTime() - started);
            throw e;
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
        long started = System.nanoTime();
        try {
            VolumeTarget t = resolve(info);
            t.checkAttachment(attachment);
            DisconnectOutcome outcome = disconnection.disconnect(t.dir(), attachment);
            telemetry.disconnected(t, attachment, outcome != DisconnectOutcome.NOT_ATTACHED, System.nanoTime() - started);
            return outcome;
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            telemetry.failed(VolumeEvents.OP_DISCONNECT, Telemetry.DISCONNECT, e, info, attachment, System.nanoTime() - started);
            throw e;
        }
    }

    // ---------------------------------------------------------------- attached volumes (SPI 1.3)

    /**
     * @param info connection info whose export holds the file
     * @param file a volume file name in its mount directory
     * @return what the file's header says
     * @throws VolumeDriverException the typed refusal
     */
    public VolumeImage inspectImage(ConnectionInfo info, String file) throws VolumeDriverException {
        try {
            return inspection.inspect(resolve(info), file);
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            throw e;
        }
    }

    /**
     * Moves a recorded attachment to another file of its volume; see {@link AttachmentFollow}.
     *
     * @param from the mount directory and the recorded volume file
     * @param toVolume the file the guest uses now
     * @param attachment the recorded attachment
     * @return whether it moved
     * @throws VolumeDriverException the typed refusal
     */
    public boolean follow(VolumeLocation from, String toVolume, Attachment attachment) throws VolumeDriverException {
        try {
            return following.follow(from, toVolume, attachment);
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
            connection.awaitJournal(ticket, where.directory(), attachment, false);
            return true;
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            telemetry.limitExceeded(e, where == null ? null : where.directory());
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
            telemetry.limitExceeded(e, where == null ? null : where.directory());
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
            telemetry.limitExceeded(e, dir);
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

    /** @return how many mounts count against {@code max.mounts} now: a level, so not among the counters */
    int mountedCount() {
        return records.mountedCount();
    }

    /** @return {@link #mounts()} with each mount's FUSE connection and unanswered requests */
    public List<QuobyteMount> mountDetails() {
        return listing.mounts();
    }

    /** @return the counters by name; each only ever grows while the driver runs */
    public Map<String, Long> counterSnapshot() {
        Map<String, Long> out = counters.snapshot();
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
