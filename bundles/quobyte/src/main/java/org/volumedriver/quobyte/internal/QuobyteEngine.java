package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.TransientScope;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.ValidatedVolume;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.CommandTimedOutException;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.LimitExceededException;
import org.volumedriver.spi.MountBusyException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The Quobyte driver's logic, independent of OSGi: validation, layout, commands, per-directory
 * locks, attachment sets, healing, journal and watchdog scan.
 *
 * <p>Every operation on a mount directory holds that directory's lock (in this process) and an
 * exclusive lock on a lock file under the base (against other processes), so different exports
 * proceed in parallel and two agents on one host cannot race.
 */
public final class QuobyteEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuobyteEngine.class);
    static final String SCOPE_DESCRIPTION = "volumedriver Quobyte client mount";
    static final String STATE_DIR = ".volumedriver";

    private final Settings settings;
    private final MountLayout layout;
    private final CommandExecutor executor;
    private final MountTable table;
    private final HealthProbe probe;
    private final SystemdDecision systemd;
    private final Counters counters;
    private final Journal journal;
    private final Path stateDir;
    private final ConcurrentHashMap<Path, Record> records = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Path, FileChannel> lockChannels = new ConcurrentHashMap<>();
    private final Semaphore operations;
    private final AtomicInteger mounted = new AtomicInteger();
    private final ReentrantLock globalLock = new ReentrantLock();
    private volatile boolean singleGlobalLock;

    /** What the driver knows about one mount directory; mutated only under its lock. */
    static final class Record {
        final Path dir;
        final String hash;
        volatile String export;
        // sorted, concurrent: changed in place under the directory lock, read by admin views at any time
        final ConcurrentSkipListSet<Attachment> attachments = new ConcurrentSkipListSet<>();
        volatile MountState state = MountState.NOT_MOUNTED;
        volatile Instant since = Instant.now();
        volatile String detail = "";
        volatile boolean counted;

        Record(Path dir) {
            this.dir = dir;
            this.hash = dir.getFileName().toString();
        }

        void state(MountState s, String why) {
            if (s != state) {
                since = Instant.now();
            }
            state = s;
            detail = why == null ? "" : why;
        }

        void add(Attachment a) {
            attachments.add(a);
        }

        void remove(Attachment a) {
            attachments.remove(a);
        }
    }

    /** A validated request. */
    record Target(ExportSpec export, Path dir, String name, Path volumePath, String format) {
    }

    /**
     * @param settings checked settings
     * @param executor runs every command
     * @param table the mount table
     * @param probe the health probe
     * @param systemd the systemd decision
     * @param uid the effective uid directories must belong to
     */
    public QuobyteEngine(Settings settings, CommandExecutor executor, MountTable table, HealthProbe probe,
            SystemdDecision systemd, int uid) {
        this.settings = settings;
        this.layout = new MountLayout(settings.mountBase, settings.directoryMode, uid, settings.directoryGroup);
        this.executor = executor;
        this.table = table;
        this.probe = probe;
        this.systemd = systemd;
        this.counters = new Counters();
        this.journal = new Journal(settings.journal, this::snapshot, settings.journalSync);
        this.stateDir = settings.mountBase.resolve(STATE_DIR);
        this.operations = new Semaphore(settings.maxConcurrentOperations, true);
    }

    /**
     * Benchmark baseline only: one lock for every export, as the original driver had.
     *
     * @param value whether to use the single lock
     */
    public void useSingleGlobalLock(boolean value) {
        singleGlobalLock = value;
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
        checkClientConfig();
        Path journalDir = settings.journal.getParent();
        if (!journalDir.equals(stateDir)) {
            try {
                PosixFileAttributes a = Files.readAttributes(journalDir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(journalDir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if (!a.isDirectory() || (mode & 0022) != 0) {
                    throw new InvalidConfigurationException("journal.path", "its directory must be a directory that is not group- or world-writable");
                }
            } catch (IOException e) {
                throw new InvalidConfigurationException("journal.path", "its directory cannot be inspected (" + e.getClass().getSimpleName() + ")");
            }
        }
        recover();
        try {
            journal.open();
        } catch (IOException e) {
            throw new VolumeDriverException("JOURNAL_FAILED", "the attachment journal " + settings.journal
                    + " cannot be written (" + e.getClass().getSimpleName() + ")", e);
        }
    }

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

    private void recover() {
        List<Journal.Entry> entries;
        try {
            entries = journal.read();
        } catch (IOException e) {
            LOG.error("attachment journal {} is unreadable ({}); moved aside, starting without recorded attachments",
                    journal.file(), e.getMessage());
            long now = System.currentTimeMillis();
            for (Path p : List.of(journal.file(), journal.file().resolveSibling(journal.file().getFileName() + ".log"))) {
                try {
                    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.move(p, p.resolveSibling(p.getFileName() + ".corrupt-" + now), StandardCopyOption.ATOMIC_MOVE);
                    }
                } catch (IOException moveFailure) {
                    LOG.error("could not move the unreadable journal aside ({})", moveFailure.getClass().getSimpleName());
                }
            }
            entries = List.of();
        }
        List<MountEntry> mountEntries = readTableQuietly();
        for (Journal.Entry e : entries) {
            Path dir = settings.mountBase.resolve(e.hash());
            Record rec = new Record(dir);
            rec.export = e.export();
            rec.attachments.addAll(e.attachments());
            Optional<MountEntry> m = mountEntries == null ? Optional.empty() : MountTable.visibleAt(mountEntries, dir.toString());
            if (m.isPresent() && m.get().isQuobyte(settings.legacyFuse)) {
                rec.counted = true;
                mounted.incrementAndGet();
                ProbeResult p = probe.probe(dir, settings.probeTimeout);
                rec.state(p.isHealthy() ? MountState.HEALTHY : MountState.STALE, p.detail());
            } else {
                rec.state(MountState.NOT_MOUNTED, "recorded attachments but the export is not mounted");
                LOG.warn("recovered {} attachment(s) for {} but it is not mounted", rec.attachments.size(), dir);
            }
            if (!rec.attachments.isEmpty()) {
                records.put(dir, rec);
            }
        }
        LOG.info("recovered {} mount directories with {} attachments from the journal", records.size(),
                records.values().stream().mapToInt(r -> r.attachments.size()).sum());
    }

    private List<MountEntry> readTableQuietly() {
        try {
            return table.read();
        } catch (IOException | MountInfoParser.MalformedMountTableException e) {
            LOG.error("mount table unreadable: {}", e.getMessage());
            return null;
        }
    }

    // ---------------------------------------------------------------- validation

    /**
     * Validates connection info completely, without side effects (A1–A4, B2).
     *
     * @param info the connection info
     * @return the target
     * @throws VolumeDriverException the typed reason
     */
    Target resolve(ConnectionInfo info) throws VolumeDriverException {
        if (info == null) {
            throw new InvalidConnectionInfoException("connection_info", "is missing");
        }
        if (!QuobyteAdmin.DRIVER_TYPE.equals(info.driverVolumeType())) {
            throw new InvalidConnectionInfoException("driver_volume_type", "must be '" + QuobyteAdmin.DRIVER_TYPE + "' for this driver");
        }
        ExportSpec export = VolumeValidator.parseExport(info.requireExport());
        String format = VolumeValidator.checkFormat(info.format());
        String name = info.requireName();
        Path dir = layout.mountDirectory(export.stripped());
        Path file = VolumeValidator.resolveName(name, settings.volumeNamePattern, dir);
        return new Target(export, dir, name, file, format);
    }

    /**
     * @param info connection info
     * @return the validated volume
     * @throws VolumeDriverException the typed reason
     */
    public ValidatedVolume validate(ConnectionInfo info) throws VolumeDriverException {
        Target t = resolve(info);
        return new ValidatedVolume(t.export.stripped(), t.dir.toString(), t.volumePath.toString(), t.format);
    }

    /**
     * @param info connection info
     * @return the disk, without touching anything
     * @throws VolumeDriverException the typed reason
     */
    public DiskSpec describeDisk(ConnectionInfo info) throws VolumeDriverException {
        return diskSpec(resolve(info));
    }

    private static DiskSpec diskSpec(Target t) {
        return DiskSpec.builder().sourceType("file").sourcePath(t.volumePath.toString()).format(t.format)
                .cache("none").io("native").build();
    }

    private static void checkAttachment(Target t, Attachment attachment) throws InvalidConnectionInfoException {
        if (attachment == null) {
            throw new InvalidConnectionInfoException("attachment", "is missing");
        }
        if (!attachment.volume().equals(t.name)) {
            throw new InvalidConnectionInfoException("attachment.volume", "must equal data.name");
        }
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
            Target t = resolve(info);
            checkAttachment(t, attachment);
            long ticket = -1;
            boolean madeMount = false;
            try (Lease lease = lock(t.dir)) {
                Record rec = records.computeIfAbsent(t.dir, Record::new);
                try {
                    if (rec.export != null && !rec.export.equals(t.export.stripped())) {
                        throw new UnsafePathException(t.dir.toString(), "is already used by a different export with the same hash");
                    }
                    rec.export = t.export.stripped();
                    boolean mountedNow = ensureMounted(rec);
                    madeMount = mountedNow;
                    try {
                        Qcow2Inspector.check(t.volumePath, t.format, settings.volumeNamePattern);
                    } catch (VolumeDriverException e) {
                        if (mountedNow && rec.attachments.isEmpty()) {
                            undoMount(rec, "volume file refused");
                        }
                        throw e;
                    }
                    if (!rec.attachments.contains(attachment)) {
                        rec.add(attachment);
                        ticket = journal.enqueue(List.of(Journal.Op.mount(rec.hash, rec.export), Journal.Op.add(rec.hash, attachment)));
                        if (singleGlobalLock) {
                            // the baseline holds its one lock for the whole operation, as the original did
                            awaitJournal(ticket, t.dir, attachment, mountedNow);
                            ticket = -1;
                        }
                    }
                } finally {
                    forgetIfIdle(rec);
                }
            }
            if (ticket >= 0) {
                // the directory lock is released while the journal syncs: concurrent connects share one fsync
                awaitJournal(ticket, t.dir, attachment, madeMount);
            }
            return diskSpec(t);
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
            boolean held = lockFor(dir).isHeldByCurrentThread();
            try (Lease lease = held ? null : lock(dir)) {
                Record rec = records.get(dir);
                if (rec != null) {
                    rec.remove(attachment);
                    journal.enqueue(List.of(Journal.Op.remove(rec.hash, attachment)));
                    if (mountedNow && rec.attachments.isEmpty() && rec.counted) {
                        undoMount(rec, "its attachment could not be journaled");
                    }
                }
            }
            throw new VolumeDriverException("JOURNAL_FAILED", "the attachment journal could not be written ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    /**
     * Disconnects an attachment; the last one unmounts (E2, E6).
     *
     * @param info connection info
     * @param attachment the attachment
     * @return the outcome
     * @throws VolumeDriverException the typed failure
     */
    public DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        counters.increment("disconnects");
        try {
            Target t = resolve(info);
            checkAttachment(t, attachment);
            try (Lease lease = lock(t.dir)) {
                Record rec = records.get(t.dir);
                if (rec == null || !rec.attachments.contains(attachment)) {
                    if (rec != null && rec.attachments.isEmpty() && rec.counted) {
                        return retryIdleUnmount(rec);
                    }
                    return DisconnectOutcome.NOT_ATTACHED;
                }
                if (rec.attachments.size() > 1) {
                    rec.remove(attachment);
                    journalRemoval(rec, attachment);
                    return DisconnectOutcome.STILL_IN_USE;
                }
                // the last attachment: take an operation slot before changing anything
                Permit permit = acquireOperation();
                try {
                    rec.remove(attachment);
                    journalRemoval(rec, attachment);
                    Optional<MountEntry> m = visible(t.dir);
                    if (m.isEmpty()) {
                        mountAlreadyGone(rec);
                        return DisconnectOutcome.UNMOUNTED;
                    }
                    if (!m.get().isQuobyte(settings.legacyFuse)) {
                        forgetIfIdle(rec);
                        throw new UnsafePathException(t.dir.toString(), "another file system type is mounted there; it was left alone");
                    }
                    CommandResult r = runUmount(t.dir, false);
                    if (!stillMounted(t.dir)) {
                        unmounted(rec);
                        return DisconnectOutcome.UNMOUNTED;
                    }
                    if (r.timedOut()) {
                        rec.state(MountState.STALE, "unmount timed out");
                        throw new CommandTimedOutException(settings.umountCommand, settings.umountTimeout);
                    }
                    rec.state(MountState.BUSY, "unmount refused (exit status " + r.exitStatus() + "); still mounted");
                    counters.increment("unmount.busy");
                    LOG.warn("unmount of {} refused with exit status {}: it stays mounted (busy)", t.dir, r.exitStatus());
                    return DisconnectOutcome.BUSY;
                } finally {
                    permit.release();
                }
            }
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            throw e;
        }
    }

    /**
     * A repeated disconnect whose attachment is already gone, on a mount still counted as mounted
     * without attachments: an earlier disconnect removed the last attachment and then failed
     * (mount table unreadable, executor saturated, umount not started, timeout). Finish its unmount
     * now; anything in the way is left to the watchdog, and the attachment is not attached either way.
     */
    private DisconnectOutcome retryIdleUnmount(Record rec) {
        try {
            Optional<MountEntry> m = visible(rec.dir);
            if (m.isEmpty()) {
                mountAlreadyGone(rec);
            } else if (m.get().isQuobyte(settings.legacyFuse) && probe(rec).isHealthy() && unmountIdle(rec)) {
                return DisconnectOutcome.UNMOUNTED;
            }
        } catch (VolumeDriverException e) {
            LOG.warn("the idle mount {} could not be unmounted yet ({}); the watchdog retries", rec.dir, e.code());
        }
        return DisconnectOutcome.NOT_ATTACHED;
    }

    /**
     * Makes sure a healthy Quobyte mount is at the record's directory.
     *
     * @return whether this call mounted it
     */
    private boolean ensureMounted(Record rec) throws VolumeDriverException {
        Optional<MountEntry> m = visible(rec.dir);
        if (m.isEmpty()) {
            mountFresh(rec);
            return true;
        }
        if (!m.get().isQuobyte(settings.legacyFuse)) {
            throw new UnsafePathException(rec.dir.toString(), "another file system type is mounted there");
        }
        ProbeResult p = probe(rec);
        if (p.isHealthy()) {
            rec.state(MountState.HEALTHY, "");
            if (!rec.counted) {
                // a mount made before we knew about it (another agent, or before a crash)
                rec.counted = true;
                mounted.incrementAndGet();
            }
            return false; // E3: nothing runs
        }
        if (p.verdict() == ProbeResult.Verdict.ERROR) {
            throw new MountUnhealthyException(rec.dir.toString(), p.detail());
        }
        if (!rec.attachments.isEmpty()) {
            throw new StaleMountInUseException(rec.dir.toString(), rec.attachments.size());
        }
        LOG.warn("mount {} is stale ({}) and unused: healing it", rec.dir, p.detail());
        unmountForHeal(rec);
        mountFresh(rec);
        counters.increment("heals");
        return true;
    }

    private ProbeResult probe(Record rec) {
        ProbeResult p = probe.probe(rec.dir, settings.probeTimeout);
        if (p.timedOut()) {
            counters.increment("probe.timeouts");
        }
        if (!p.isHealthy()) {
            counters.increment("stale.detected");
            rec.state(MountState.STALE, p.detail());
        }
        return p;
    }

    private void mountFresh(Record rec) throws VolumeDriverException {
        checkClientConfig();
        Permit permit = acquireOperation();
        boolean reserved = false;
        boolean ok = false;
        boolean created = false;
        try {
            if (!rec.counted) {
                if (mounted.incrementAndGet() > settings.maxMounts) {
                    mounted.decrementAndGet();
                    throw new LimitExceededException("max.mounts", settings.maxMounts);
                }
                reserved = true;
            }
            created = layout.prepare(rec.dir);
            CommandRequest request = mountRequest(rec.export, rec.dir);
            long started = System.nanoTime();
            CommandResult r = executor.run(request);
            if (r.timedOut() || r.exitStatus() != 0) {
                counters.increment("mount.failures");
                cleanupFailedMount(rec);
                if (r.timedOut()) {
                    throw new CommandTimedOutException(settings.mountCommand, settings.mountTimeout);
                }
                // C3: only 0 is success (the original accepted 4)
                throw new CommandFailedException(settings.mountCommand, r.exitStatus(), null);
            }
            if (!awaitMount(rec.dir)) {
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
            rec.state(MountState.HEALTHY, "");
            ok = true;
            LOG.info("mounted {} on {} in {} ms{}", Redactor.redactText(rec.export), rec.dir, millis,
                    systemd.useScope() ? " (systemd scope)" : "");
        } catch (VolumeDriverException e) {
            if (created && !ok) {
                layout.removeIfEmpty(rec.dir);
            }
            throw e;
        } finally {
            if (!ok && reserved) {
                mounted.decrementAndGet();
            }
            permit.release();
        }
    }

    CommandRequest mountRequest(String export, Path dir) {
        List<String> args = new ArrayList<>(List.of("--disable-xattrs", export, dir.toString()));
        settings.clientConfig.ifPresent(c -> {
            args.add("-c");
            args.add(c.toString());
        });
        CommandRequest request = new CommandRequest(settings.mountCommand, args, settings.mountTimeout, null, null);
        if (systemd.useScope()) {
            request = request.inScope(new TransientScope(scopeUnit(dir), settings.slice, SCOPE_DESCRIPTION));
        }
        return request;
    }

    /**
     * @param dir a mount directory
     * @return the deterministic scope unit name for it
     */
    static String scopeUnit(Path dir) {
        return "volumedriver-quobyte-" + dir.getFileName() + ".scope";
    }

    private boolean awaitMount(Path dir) throws VolumeDriverException {
        long deadline = System.nanoTime() + settings.mountAppearTimeout.toNanos();
        while (true) {
            Optional<MountEntry> m = visible(dir);
            if (m.isPresent() && m.get().isQuobyte(settings.legacyFuse)) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            sleep(10);
        }
    }

    /** After a failed or refused mount: remove whatever got mounted, then the directory (C3, E5). */
    private void cleanupFailedMount(Record rec) {
        try {
            if (stillMounted(rec.dir)) {
                runUmount(rec.dir, false);
                if (stillMounted(rec.dir)) {
                    LOG.warn("lazy unmount of {} as the last resort after a failed mount", rec.dir);
                    runUmount(rec.dir, true);
                }
            }
        } catch (VolumeDriverException e) {
            LOG.error("could not clean up {} after a failed mount ({})", rec.dir, e.code());
        }
        layout.removeIfEmpty(rec.dir);
        rec.state(MountState.NOT_MOUNTED, "mount failed");
    }

    private void undoMount(Record rec, String why) {
        LOG.warn("undoing the mount of {}: {}", rec.dir, why);
        try {
            runUmount(rec.dir, false);
            if (stillMounted(rec.dir)) {
                LOG.warn("lazy unmount of {} as the last resort", rec.dir);
                runUmount(rec.dir, true);
            }
            if (!stillMounted(rec.dir)) {
                unmounted(rec);
            }
        } catch (VolumeDriverException e) {
            LOG.error("could not undo the mount of {} ({})", rec.dir, e.code());
        }
    }

    /** Unmounts a stale mount for a heal: normal first, lazy as the logged last resort (E4). */
    private void unmountForHeal(Record rec) throws VolumeDriverException {
        Permit permit = acquireOperation();
        try {
            runUmount(rec.dir, false);
            if (stillMounted(rec.dir)) {
                LOG.warn("lazy unmount of stale {} as the last resort", rec.dir);
                runUmount(rec.dir, true);
            }
            if (stillMounted(rec.dir)) {
                rec.state(MountState.BUSY, "stale and could not be unmounted");
                throw new MountBusyException(rec.dir.toString());
            }
            uncount(rec);
            counters.increment("unmounts");
        } finally {
            permit.release();
        }
    }

    private CommandResult runUmount(Path dir, boolean lazy) throws VolumeDriverException {
        CommandRequest request = lazy
                ? CommandRequest.of(settings.umountCommand, settings.umountTimeout, "--no-canonicalize", "-l", dir.toString())
                : CommandRequest.of(settings.umountCommand, settings.umountTimeout, "--no-canonicalize", dir.toString());
        CommandResult r = executor.run(request);
        if (r.succeeded()) {
            // that mount is gone: a probe still blocked on it must not judge the next mount here
            probe.forget(dir);
        }
        return r;
    }

    /** The mount went away without an unmount of ours (unmounted by hand, or never made): forget it. */
    private void mountAlreadyGone(Record rec) {
        uncount(rec);
        rec.state(MountState.NOT_MOUNTED, "");
        layout.removeIfEmpty(rec.dir);
        forgetIfIdle(rec);
    }

    private void unmounted(Record rec) {
        uncount(rec);
        counters.increment("unmounts");
        rec.state(MountState.NOT_MOUNTED, "");
        if (!layout.removeIfEmpty(rec.dir)) {
            LOG.warn("mount directory {} was unmounted but is not empty; left in place", rec.dir);
        }
        forgetIfIdle(rec);
        LOG.info("unmounted {}", rec.dir);
    }

    /**
     * Unmounts a healthy Quobyte mount that has no attachments (the caller holds its directory
     * lock and checked both). Takes an operation permit without waiting: without one nothing runs
     * and the watchdog retries next round. A refused unmount leaves it BUSY.
     *
     * @return whether it is gone, according to a fresh read of the mount table
     */
    private boolean unmountIdle(Record rec) throws VolumeDriverException {
        Permit permit = tryOperationNow();
        if (permit == null) {
            return false;
        }
        try {
            CommandResult r = runUmount(rec.dir, false);
            if (!stillMounted(rec.dir)) {
                unmounted(rec);
                return true;
            }
            if (r.timedOut()) {
                rec.state(MountState.STALE, "unmount of the idle mount timed out");
            } else {
                rec.state(MountState.BUSY, "unmount refused (exit status " + r.exitStatus() + "); still mounted");
            }
            return false;
        } finally {
            permit.release();
        }
    }

    private void uncount(Record rec) {
        if (rec.counted) {
            rec.counted = false;
            mounted.decrementAndGet();
        }
    }

    private void forgetIfIdle(Record rec) {
        if (rec.attachments.isEmpty() && (rec.state == MountState.NOT_MOUNTED || !rec.counted && rec.state != MountState.BUSY)) {
            records.remove(rec.dir, rec);
        }
    }

    private Optional<MountEntry> visible(Path dir) throws VolumeDriverException {
        try {
            return MountTable.visibleAt(table.read(), dir.toString());
        } catch (IOException e) {
            throw new VolumeDriverException("MOUNT_TABLE_UNREADABLE", "the mount table cannot be read (" + e.getClass().getSimpleName() + ")", e);
        } catch (MountInfoParser.MalformedMountTableException e) {
            throw new VolumeDriverException("MOUNT_TABLE_UNREADABLE", "the mount table is malformed: " + e.getMessage(), e);
        }
    }

    private boolean stillMounted(Path dir) throws VolumeDriverException {
        return visible(dir).isPresent();
    }

    // ---------------------------------------------------------------- admin

    /**
     * Probes one managed mount and heals it if it is stale (E4).
     *
     * @param mountDirectory the mount directory
     * @param force heal even with attachments
     * @return the status afterwards
     * @throws VolumeDriverException the typed failure
     */
    public MountStatus heal(String mountDirectory, boolean force) throws VolumeDriverException {
        Path dir;
        try {
            dir = mountDirectory == null ? null : Path.of(mountDirectory);
        } catch (RuntimeException e) {
            dir = null;
        }
        if (dir == null || !layout.isMountDirectory(dir) || !dir.toString().equals(mountDirectory)) {
            throw new UnsafePathException(Redactor.quote(mountDirectory), "is not a mount directory of " + layout.base());
        }
        try (Lease lease = lock(dir)) {
            Record rec = records.computeIfAbsent(dir, Record::new);
            try {
                Optional<MountEntry> m = visible(dir);
                if (m.isEmpty()) {
                    if (!rec.attachments.isEmpty() && rec.export != null) {
                        LOG.warn("heal: {} has {} attachment(s) but is not mounted: mounting it", dir, rec.attachments.size());
                        mountFresh(rec);
                        counters.increment("heals");
                    } else {
                        rec.state(MountState.NOT_MOUNTED, "");
                    }
                    return status(rec);
                }
                if (!m.get().isQuobyte(settings.legacyFuse)) {
                    throw new UnsafePathException(dir.toString(), "another file system type is mounted there");
                }
                ProbeResult p = probe(rec);
                if (p.isHealthy()) {
                    rec.state(MountState.HEALTHY, "");
                    return status(rec);
                }
                if (!rec.attachments.isEmpty() && !force) {
                    throw new StaleMountInUseException(dir.toString(), rec.attachments.size());
                }
                if (!rec.attachments.isEmpty()) {
                    LOG.warn("forced heal of {} with {} attachment(s) in use", dir, rec.attachments.size());
                }
                unmountForHeal(rec);
                counters.increment("heals");
                if (!rec.attachments.isEmpty() && rec.export != null) {
                    mountFresh(rec);
                } else {
                    rec.state(MountState.NOT_MOUNTED, "healed: unmounted");
                    layout.removeIfEmpty(dir);
                }
                return status(rec);
            } finally {
                forgetIfIdle(rec);
            }
        } catch (VolumeDriverException e) {
            counters.increment("failures." + e.code());
            throw e;
        }
    }

    /** @return the managed mounts and Quobyte mounts found under the base */
    public List<MountStatus> mounts() {
        List<MountEntry> entries = readTableQuietly();
        List<MountStatus> out = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Record rec : new ArrayList<>(records.values())) {
            seen.add(rec.dir);
            if (entries != null && MountTable.visibleAt(entries, rec.dir.toString()).isEmpty()) {
                if (rec.state != MountState.NOT_MOUNTED) {
                    rec.state(MountState.NOT_MOUNTED, "not in the mount table");
                }
            } else if (entries != null) {
                reprobe(rec);
            }
            out.add(status(rec));
        }
        if (entries != null) {
            for (MountEntry e : entries) {
                Path p;
                try {
                    p = Path.of(e.mountPoint());
                } catch (RuntimeException ex) {
                    continue;
                }
                if (e.isQuobyte(settings.legacyFuse) && layout.isMountDirectory(p) && seen.add(p)) {
                    out.add(new MountStatus(QuobyteAdmin.DRIVER_TYPE, "", p.toString(), MountState.HEALTHY, Set.of(),
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
    private void reprobe(Record rec) {
        if (rec.state == MountState.BUSY) {
            return; // BUSY comes from a refused unmount, which a probe cannot tell
        }
        try (Lease lease = tryLockNow(rec.dir)) {
            if (lease == null) {
                return;
            }
            if (probe(rec).isHealthy()) {
                rec.state(MountState.HEALTHY, "");
            }
        }
    }

    private MountStatus status(Record rec) {
        return new MountStatus(QuobyteAdmin.DRIVER_TYPE, rec.export == null ? "" : Redactor.redactText(rec.export),
                rec.dir.toString(), rec.state, rec.attachments, rec.since, rec.detail);
    }

    /** @return the counters by name */
    public Map<String, Long> counterSnapshot() {
        Map<String, Long> out = counters.snapshot();
        out.put("mounted", (long) mounted.get());
        long[] j = journal.statistics();
        out.put("journal.changes", j[0]);
        out.put("journal.syncs", j[1]);
        out.put("journal.sync.ms", j[2]);
        return out;
    }

    /**
     * One watchdog pass over the mounts this engine knows (made by it or recovered from its
     * journal): heals idle stale mounts, reports stale mounts in use, unmounts healthy mounts
     * without attachments (including BUSY retries; only with a free operation permit). Directories
     * whose lock is held are skipped this round. A Quobyte mount under the base that this engine has
     * no record of may belong to another agent on the host (same layout as Nova, Cinder and
     * os-brick): it is counted and left alone; {@link #mounts()} lists it and an administrator can
     * heal it.
     */
    public void watchdogScan() {
        counters.increment("watchdog.scans");
        Set<Path> dirs = new LinkedHashSet<>(records.keySet());
        List<MountEntry> entries = readTableQuietly();
        if (entries == null) {
            return;
        }
        long unrecorded = 0;
        for (MountEntry e : entries) {
            try {
                Path p = Path.of(e.mountPoint());
                if (e.isQuobyte(settings.legacyFuse) && layout.isMountDirectory(p) && !dirs.contains(p)) {
                    unrecorded++;
                }
            } catch (RuntimeException ex) {
                // not a path we manage
            }
        }
        if (unrecorded > 0) {
            counters.increment("watchdog.unrecorded.mounts", unrecorded);
            LOG.debug("watchdog: {} Quobyte mount(s) under the base have no recorded attachments here; left alone", unrecorded);
        }
        for (Path dir : dirs) {
            Lease lease = tryLockNow(dir);
            if (lease == null) {
                continue;
            }
            try (lease) {
                Record rec = records.computeIfAbsent(dir, Record::new);
                try {
                    scanOne(rec);
                } finally {
                    forgetIfIdle(rec);
                }
            } catch (VolumeDriverException ex) {
                LOG.warn("watchdog: {} could not be handled ({})", dir, ex.code());
            }
        }
    }

    private void scanOne(Record rec) throws VolumeDriverException {
        Optional<MountEntry> m = visible(rec.dir);
        if (m.isEmpty() || !m.get().isQuobyte(settings.legacyFuse)) {
            if (!rec.attachments.isEmpty() && rec.state != MountState.NOT_MOUNTED) {
                LOG.warn("watchdog: {} has {} attachment(s) but is not mounted", rec.dir, rec.attachments.size());
            }
            rec.state(MountState.NOT_MOUNTED, rec.attachments.isEmpty() ? "" : "attachments recorded but not mounted");
            uncount(rec);
            return;
        }
        ProbeResult p = probe(rec);
        if (p.isHealthy()) {
            if (rec.attachments.isEmpty()) {
                // idle (we hold its lock and nothing is attached): garbage, whether a refused (BUSY)
                // unmount, a disconnect that failed after removing the last attachment, or a
                // connect whose journal write failed
                if (unmountIdle(rec)) {
                    counters.increment("watchdog.idle.unmounts");
                } else {
                    LOG.info("watchdog: idle mount {} is still mounted ({}); retried next round", rec.dir, rec.state);
                }
                return;
            }
            rec.state(MountState.HEALTHY, "");
            return;
        }
        if (!rec.attachments.isEmpty()) {
            counters.increment("watchdog.stale.in.use");
            LOG.warn("watchdog: {} is stale ({}) and used by {} attachment(s); an administrator can force a heal",
                    rec.dir, p.detail(), rec.attachments.size());
            return;
        }
        LOG.warn("watchdog: healing idle stale mount {} ({})", rec.dir, p.detail());
        unmountForHeal(rec);
        counters.increment("heals");
        counters.increment("watchdog.heals");
        rec.state(MountState.NOT_MOUNTED, "healed: unmounted");
        layout.removeIfEmpty(rec.dir);
    }

    // ---------------------------------------------------------------- journal

    private Collection<Journal.Entry> snapshot() {
        List<Journal.Entry> out = new ArrayList<>();
        for (Record r : records.values()) {
            Set<Attachment> a = Set.copyOf(r.attachments);
            if (!a.isEmpty() && r.export != null) {
                out.add(new Journal.Entry(r.hash, r.export, a));
            }
        }
        out.sort((x, y) -> x.hash().compareTo(y.hash()));
        return out;
    }

    /** A removal that cannot be journaled is logged: the attachment is gone either way, and a restart reconciles. */
    private void journalRemoval(Record rec, Attachment attachment) {
        try {
            journal.append(List.of(Journal.Op.remove(rec.hash, attachment)));
        } catch (IOException e) {
            counters.increment("journal.failures");
            LOG.error("the attachment journal could not be written ({})", e.getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- locks and limits

    /** Holds a mount directory's locks. */
    final class Lease implements AutoCloseable {
        private final ReentrantLock lock;
        private final FileLock fileLock;

        Lease(ReentrantLock lock, FileLock fileLock) {
            this.lock = lock;
            this.fileLock = fileLock;
        }

        @Override
        public void close() {
            try {
                fileLock.release();
            } catch (IOException e) {
                LOG.warn("could not release a lock file ({})", e.getClass().getSimpleName());
            } finally {
                lock.unlock();
            }
        }
    }

    private ReentrantLock lockFor(Path dir) {
        return singleGlobalLock ? globalLock : locks.computeIfAbsent(dir, d -> new ReentrantLock());
    }

    Lease lock(Path dir) throws VolumeDriverException {
        ReentrantLock lock = lockFor(dir);
        long deadline = System.nanoTime() + settings.lockTimeout.toNanos();
        try {
            if (!lock.tryLock(settings.lockTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw lockTimeout(dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VolumeDriverException("INTERRUPTED", "interrupted while waiting for the lock of " + dir);
        }
        try {
            Lease lease = fileLock(dir, lock, deadline);
            if (lease == null) {
                throw lockTimeout(dir);
            }
            return lease;
        } catch (VolumeDriverException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    private Lease tryLockNow(Path dir) {
        ReentrantLock lock = lockFor(dir);
        if (!lock.tryLock()) {
            return null;
        }
        try {
            Lease lease = fileLock(dir, lock, System.nanoTime());
            if (lease == null) {
                lock.unlock();
            }
            return lease;
        } catch (VolumeDriverException | RuntimeException e) {
            lock.unlock();
            return null;
        }
    }

    /**
     * Takes the cross-process lock file of a mount directory, retrying until the deadline. The
     * channel stays open for the engine's life: closing any descriptor of a file drops every
     * POSIX lock this process holds on it.
     */
    private Lease fileLock(Path dir, ReentrantLock lock, long deadline) throws VolumeDriverException {
        Path lockFile = stateDir.resolve(dir.getFileName() + ".lock");
        FileChannel ch = lockChannels.get(lockFile);
        if (ch == null || !ch.isOpen()) {
            try {
                ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new UnsafePathException(lockFile.toString(), "lock file cannot be opened (" + e.getClass().getSimpleName() + ")");
            }
            lockChannels.put(lockFile, ch); // only the holder of the directory lock gets here
        }
        while (true) {
            try {
                FileLock fl = ch.tryLock();
                if (fl != null) {
                    return new Lease(lock, fl);
                }
            } catch (OverlappingFileLockException e) {
                // another engine in this JVM (during a reconfiguration) holds it: wait like for another process
            } catch (IOException e) {
                throw new UnsafePathException(lockFile.toString(), "lock file cannot be locked (" + e.getClass().getSimpleName() + ")");
            }
            if (System.nanoTime() >= deadline) {
                return null;
            }
            sleep(5);
        }
    }

    private VolumeDriverException lockTimeout(Path dir) {
        counters.increment("lock.timeouts");
        return new VolumeDriverException("LOCK_TIMEOUT", "mount directory " + dir + " stayed locked for "
                + settings.lockTimeout.toMillis() + " ms");
    }

    /** A slot for a mount or unmount. */
    @FunctionalInterface
    interface Permit {
        void release();
    }

    private Permit acquireOperation() throws LimitExceededException {
        boolean got;
        try {
            long wait = settings.operationQueueTimeout.toMillis();
            got = wait == 0 ? operations.tryAcquire() : operations.tryAcquire(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) {
            counters.increment("limit.operations");
            throw new LimitExceededException("max.concurrent.operations", settings.maxConcurrentOperations);
        }
        return operations::release;
    }

    /** A slot for background work (the watchdog), taken without waiting: null when none is free. */
    private Permit tryOperationNow() {
        if (!operations.tryAcquire()) {
            counters.increment("limit.operations");
            return null;
        }
        return operations::release;
    }

    /** @return the journal (tests inject write faults into it) */
    Journal journal() {
        return journal;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @param dir a mount directory
     * @return whether threads of this process wait for its lock (for interleaving tests)
     */
    boolean hasWaiters(Path dir) {
        ReentrantLock l = locks.get(dir);
        return l != null && l.hasQueuedThreads();
    }

    /**
     * @param attachment an attachment
     * @return whether it is recorded, from memory: no probe, no process
     */
    public boolean isAttached(Attachment attachment) {
        return records.values().stream().anyMatch(r -> r.attachments.contains(attachment));
    }

    /** @return how many attachments are recorded in all */
    public int attachmentCount() {
        return records.values().stream().mapToInt(r -> r.attachments.size()).sum();
    }

    /** Writes a final journal snapshot and closes the lock files. */
    @Override
    public void close() {
        for (FileChannel ch : lockChannels.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing only
            }
        }
        lockChannels.clear();
        try {
            journal.close();
        } catch (IOException e) {
            counters.increment("journal.failures");
            LOG.error("the attachment journal could not be written ({})", e.getClass().getSimpleName());
        }
    }

}
