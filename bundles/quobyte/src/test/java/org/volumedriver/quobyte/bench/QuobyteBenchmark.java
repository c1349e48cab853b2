package org.volumedriver.quobyte.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.internal.HealthProbe;
import org.volumedriver.quobyte.internal.Journal;
import org.volumedriver.quobyte.internal.MountEntry;
import org.volumedriver.quobyte.internal.MountInfoParser;
import org.volumedriver.quobyte.internal.MountTable;
import org.volumedriver.quobyte.internal.ProbeResult;
import org.volumedriver.quobyte.internal.Qcow2Inspector;
import org.volumedriver.quobyte.internal.QuobyteEngine;
import org.volumedriver.quobyte.internal.Settings;
import org.volumedriver.quobyte.internal.StandinCopy;
import org.volumedriver.quobyte.internal.StatxProbe;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.testsupport.ShippedExecutor;

/**
 * Benchmarks of the Quobyte driver, run on demand (see README.md), never in the default test run.
 * Results are printed and appended to {@code target/quobyte-benchmarks.txt}.
 *
 * <ul>
 * <li>hot path: connect of a new attachment to a mounted healthy export (real stand-in mount,
 * real mount table, real probe, real journal, the default configuration): median and p99, no process
 * started; and its profile, each step timed alone;</li>
 * <li>attach storm: 16 threads sharing 1000 connects (-Dbench.storm.connects) over 50 exports, the mount helper sleeping 100 ms,
 * per-directory locks with 8 concurrent mount operations versus one global lock;</li>
 * <li>mountinfo parsing at 1,000 / 10,000 / 100,000 entries.</li>
 * </ul>
 * The real-mount variants need VOLUMEDRIVER_REAL_TESTS=required (root, /dev/fuse, private mount
 * namespace); the in-process storm runs anywhere.
 */
class QuobyteBenchmark {

    static final String VOLUME = "volume-6f2c0a4e-3c1b-4d5e-9f00-123456789abc";
    static final SystemdDecision NO_SYSTEMD = new SystemdDecision(false, "off", "benchmark");
    static final int THREADS = 16;
    /** Connects in the whole storm, shared by the threads. */
    static final int CONNECTS = Integer.getInteger("bench.storm.connects", 1000);
    static final int EXPORTS = 50;
    static final int MOUNT_DELAY_MS = 100;

    @TempDir
    Path tmp;

    static boolean real() {
        return "required".equals(System.getenv("VOLUMEDRIVER_REAL_TESTS"));
    }

    static void report(String line) throws IOException {
        System.out.println("[bench] " + line);
        Path out = Path.of("target", "quobyte-benchmarks.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, java.time.Instant.now() + " " + line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * The configuration a new user gets (the defaults) with the benchmark's mount base and without the
     * watchdog's pass; {@code -Dbench.journal.sync=true|false} overrides the journal's default.
     */
    static Settings.Builder configuration(Path mountBase) {
        Settings.Builder b = Settings.builder().mountBase(mountBase.toString()).watchdogEnabled(false);
        String sync = System.getProperty("bench.journal.sync");
        if (sync != null) {
            b.journalSync(Boolean.parseBoolean(sync));
        }
        return b;
    }

    static String journalSync(Settings settings) {
        return settings.describe().get("journal.sync");
    }

    static String journalSync(QuobyteEngine engine) {
        return journalSync(engine.settings());
    }

    static ConnectionInfo info(String export) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte", "data", Map.of("export", export, "name", VOLUME)));
    }

    static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    // ------------------------------------------------------------------ real stand-in helpers

    /** A private copy of the stand-in; optional mount delay. */
    StandinCopy standin(Path dir, int delayMs) throws IOException {
        StandinCopy copy = StandinCopy.in(dir);
        if (delayMs > 0) {
            Files.writeString(dir.resolve("mount-delay-ms"), Integer.toString(delayMs));
        }
        return copy;
    }

    static void volumeIn(StandinCopy standin, String export) throws IOException {
        Files.write(standin.store(export).resolve(VOLUME), new byte[0]);
    }

    static ProcessCommandExecutor realExecutor(StandinCopy standin) throws Exception {
        return new ProcessCommandExecutor(ExecutorSettings.fromProperties(
                ShippedExecutor.properties(standin.executable(), Map.of("max.concurrent", "16", "queue.timeout.ms", "120000"))));
    }

    // ------------------------------------------------------------------ hot path

    /**
     * The hot connect: a new attachment to a mounted, healthy export, in the configuration a new user
     * gets. {@code -Dbench.hot.warmup} untimed connects first (default 3000: the JIT compiles the path
     * meanwhile, as in a driver that has been running), then {@code -Dbench.hot.calls} timed ones
     * (default 2500).
     */
    @Test
    void hotPathConnectToAMountedHealthyExport() throws Exception {
        assumeTrue(real(), "needs VOLUMEDRIVER_REAL_TESTS=required");
        StandinCopy standin = standin(tmp.resolve("bin"), 0);
        String export = "10.0.0.1/hot";
        volumeIn(standin, export);
        int warmup = Integer.getInteger("bench.hot.warmup", 3000);
        int n = Integer.getInteger("bench.hot.calls", 2500);
        try (ProcessCommandExecutor executor = realExecutor(standin); StatxProbe probe = new StatxProbe(8)) {
            QuobyteEngine engine = new QuobyteEngine(configuration(tmp.resolve("mnt")).build(), executor, new MountTable.Proc(), probe,
                    NO_SYSTEMD, 0);
            engine.start();
            ConnectionInfo info = info(export);
            engine.connect(info, new Attachment(VOLUME, "first"));
            long runsBefore = executor.statistics().values().stream().mapToLong(CommandStatistics::runs).sum();
            long[] nanos = timeHotConnects(engine, info, warmup, n);
            long runsAfter = executor.statistics().values().stream().mapToLong(CommandStatistics::runs).sum();
            assertEquals(runsBefore, runsAfter, "the hot path starts no process");
            report(String.format("hot path connect (real stand-in mount, %d timed after %d untimed, journal.sync=%s): median %.1f us, "
                    + "p90 %.1f us, p99 %.1f us, processes started %d, probe workers %d", n, warmup, journalSync(engine),
                    percentile(nanos, 0.5) / 1e3, percentile(nanos, 0.9) / 1e3, percentile(nanos, 0.99) / 1e3, runsAfter - runsBefore,
                    probe.workerCount()));
            engine.close();
        } finally {
            StandinCopy.detachAllBelow(tmp);
        }
    }

    /**
     * Connects of new attachments to an export that is already mounted: {@code warmup} untimed,
     * then {@code n} timed.
     *
     * @return the timed connects' durations in nanoseconds, sorted
     */
    private static long[] timeHotConnects(QuobyteEngine engine, ConnectionInfo info, int warmup, int n) throws Exception {
        for (int i = 0; i < warmup; i++) {
            engine.connect(info, new Attachment(VOLUME, "warm" + i));
        }
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            Attachment attachment = new Attachment(VOLUME, "vm" + i);
            long t0 = System.nanoTime();
            engine.connect(info, attachment);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    /**
     * What events and timers cost the hot connect: rounds alternate an engine without them and one
     * with an Event Admin (discarding what it is posted) and a Micrometer registry bound, each on a
     * fresh stand-in mount; {@code -Dbench.hot.warmup} untimed and {@code -Dbench.hot.calls} timed
     * connects per round, {@code -Dbench.telemetry.rounds} rounds (default 3).
     */
    @Test
    void hotPathTelemetryCost() throws Exception {
        assumeTrue(real(), "needs VOLUMEDRIVER_REAL_TESTS=required");
        StandinCopy standin = standin(tmp.resolve("bin"), 0);
        String export = "10.0.0.1/hot";
        volumeIn(standin, export);
        int warmup = Integer.getInteger("bench.hot.warmup", 3000);
        int n = Integer.getInteger("bench.hot.calls", 2500);
        int rounds = Integer.getInteger("bench.telemetry.rounds", 3);
        List<String> results = new ArrayList<>();
        try (ProcessCommandExecutor executor = realExecutor(standin); StatxProbe probe = new StatxProbe(8)) {
            for (int round = 0; round < rounds; round++) {
                for (boolean on : new boolean[] { false, true }) {
                    org.volumedriver.quobyte.internal.Telemetry telemetry = new org.volumedriver.quobyte.internal.Telemetry();
                    AtomicInteger posted = new AtomicInteger();
                    if (on) {
                        telemetry.bindEventAdmin(new org.osgi.service.event.EventAdmin() {
                            @Override
                            public void postEvent(org.osgi.service.event.Event event) {
                                posted.incrementAndGet();
                            }

                            @Override
                            public void sendEvent(org.osgi.service.event.Event event) {
                                throw new AssertionError("never sent");
                            }
                        });
                        telemetry.bindMeterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
                    }
                    Path base = tmp.resolve("mnt-" + round + "-" + on);
                    QuobyteEngine engine = new QuobyteEngine(configuration(base).build(), executor, new MountTable.Proc(), probe,
                            NO_SYSTEMD, 0, telemetry);
                    engine.start();
                    ConnectionInfo info = info(export);
                    engine.connect(info, new Attachment(VOLUME, "first"));
                    long[] nanos = timeHotConnects(engine, info, warmup, n);
                    results.add(String.format("%s %.1f / %.1f us (%d events)", on ? "with" : "without", percentile(nanos, 0.5) / 1e3,
                            percentile(nanos, 0.99) / 1e3, posted.get()));
                    engine.close();
                    StandinCopy.detachAllBelow(base);
                }
            }
            report("hot path connect with and without events and timers (real stand-in mount, median / p99, " + n + " timed after "
                    + warmup + " untimed per round, rounds alternate): " + String.join("; ", results));
        } finally {
            StandinCopy.detachAllBelow(tmp);
        }
    }

    /** One step of the hot path, timed alone: median and p99 in microseconds. */
    interface Step {
        void run(int i) throws Exception;
    }

    static String time(String name, int n, Step step) throws Exception {
        for (int i = 0; i < n / 5; i++) {
            step.run(i);
        }
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            step.run(i);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return String.format("%s %.1f / %.1f", name, percentile(nanos, 0.5) / 1e3, percentile(nanos, 0.99) / 1e3);
    }

    /**
     * Where the hot connect's time goes on a real stand-in mount: each step it takes, timed alone
     * (median / p99 in us), next to the whole connect.
     */
    @Test
    void hotPathProfile() throws Exception {
        assumeTrue(real(), "needs VOLUMEDRIVER_REAL_TESTS=required");
        StandinCopy standin = standin(tmp.resolve("bin"), 0);
        String export = "10.0.0.1/hot";
        volumeIn(standin, export);
        int n = Integer.getInteger("bench.profile.calls", 3000);
        List<String> steps = new ArrayList<>();
        try (ProcessCommandExecutor executor = realExecutor(standin); StatxProbe probe = new StatxProbe(8)) {
            QuobyteEngine engine = new QuobyteEngine(configuration(tmp.resolve("mnt")).build(), executor, new MountTable.Proc(), probe,
                    NO_SYSTEMD, 0);
            engine.start();
            ConnectionInfo info = info(export);
            engine.connect(info, new Attachment(VOLUME, "warm"));
            Path dir = Path.of(engine.validate(info).mountDirectory());
            Path file = dir.resolve(VOLUME);
            MountTable table = new MountTable.Proc();
            Pattern names = Pattern.compile(Settings.DEFAULT_NAME_PATTERN);
            steps.add(time("validate", n, i -> engine.validate(info)));
            steps.add(time("mount-table", n, i -> MountTable.visibleAt(table.read(), dir.toString()).orElseThrow()));
            steps.add(time("mount-id", n, i -> StatxProbe.uniqueMountId(dir).orElseThrow()));
            steps.add(time("statx-root-inline", n, i -> StatxProbe.statNow(dir)));
            steps.add(time("probe-handoff", n, i -> probe.probe(dir, Duration.ofSeconds(5))));
            steps.add(time("lstat-volume", n, i -> Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
            steps.add(time("volume-check-raw", n, i -> Qcow2Inspector.check(file, "raw", names)));
            for (boolean sync : new boolean[] { true, false }) {
                Path jf = tmp.resolve("journal-" + sync);
                Journal journal = new Journal(jf, List::of, sync);
                journal.open();
                steps.add(time("journal-append-sync=" + sync, n, i -> journal.append(List.of(
                        Journal.Op.add("0123456789abcdef0123456789abcdef", new Attachment(VOLUME, "p" + i))))));
                journal.close();
            }
            int[] k = { 0 };
            steps.add(time("connect", n, i -> engine.connect(info, new Attachment(VOLUME, "c" + k[0]++))));
            report("hot path profile (real stand-in mount, " + n + " calls each, median / p99 us; mount table "
                    + table.read().size() + " entries): " + String.join("; ", steps));
            engine.close();
        } finally {
            StandinCopy.detachAllBelow(tmp);
        }
    }

    /** The same hot path without the kernel: synthetic table, instant probe; base on disk and on tmpfs (no fsync cost). */
    @Test
    void hotPathInProcess() throws Exception {
        for (Path root : new Path[] { tmp.resolve("disk"), Files.isDirectory(Path.of("/dev/shm")) ? Files.createTempDirectory(Path.of("/dev/shm"), "qb") : null }) {
            if (root == null) {
                continue;
            }
            SleepingExecutor executor = new SleepingExecutor();
            MountTable table = () -> new ArrayList<>(executor.table);
            QuobyteEngine engine = new QuobyteEngine(configuration(root.resolve("mnt")).build(),
                    executor, table, (dir, timeout) -> ProbeResult.ok(), NO_SYSTEMD, org.volumedriver.quobyte.internal.MountLayout.currentUid());
            engine.start();
            ConnectionInfo info = info("10.0.0.1/hot");
            engine.connect(info, new Attachment(VOLUME, "warm"));
            int n = 3000;
            long[] nanos = new long[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                engine.connect(info, new Attachment(VOLUME, "vm" + i));
                nanos[i] = System.nanoTime() - t0;
            }
            long[] measured = Arrays.copyOfRange(nanos, 500, n);
            Arrays.sort(measured);
            report(String.format("hot path connect in-process (%s): median %.1f us, p99 %.1f us, mount commands %d",
                    root.startsWith("/dev/shm") ? "journal on tmpfs" : "journal on disk", percentile(measured, 0.5) / 1e3,
                    percentile(measured, 0.99) / 1e3, executor.mounts.get()));
            engine.close();
            if (root.startsWith("/dev/shm")) {
                try (var w = Files.walk(root)) {
                    w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    // ------------------------------------------------------------------ attach storm

    record StormResult(long millis, long mounts, int failures, long allMountedMillis) {
    }

    StormResult storm(QuobyteEngine engine, List<ConnectionInfo> infos, java.util.function.LongSupplier mounts) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger failures = new AtomicInteger();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                // each thread attaches to exports in its own seeded random order: a storm, not a lockstep
                java.util.SplittableRandom random = new java.util.SplittableRandom(1000 + thread);
                start.await();
                for (int i = thread; i < CONNECTS; i += THREADS) {
                    try {
                        engine.connect(infos.get(random.nextInt(EXPORTS)), new Attachment(VOLUME, "t" + thread + "-" + i));
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        errors.add(e);
                    }
                }
                return null;
            }));
        }
        // a watcher notes when the 50th export is mounted (the part the lock design changes most)
        java.util.concurrent.atomic.AtomicLong allMounted = new java.util.concurrent.atomic.AtomicLong(-1);
        long t0 = System.nanoTime();
        Thread watcher = new Thread(() -> {
            while (allMounted.get() < 0 && !Thread.currentThread().isInterrupted()) {
                if (engine.counterSnapshot().get("mounts") >= EXPORTS) {
                    allMounted.set((System.nanoTime() - t0) / 1_000_000);
                    return;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
            }
        }, "storm-watcher");
        watcher.setDaemon(true);
        watcher.start();
        start.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.MINUTES);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        watcher.join(1000);
        pool.shutdown();
        if (!errors.isEmpty()) {
            System.out.println("[bench] first failure: " + errors.get(0));
        }
        return new StormResult(millis, mounts.getAsLong(), failures.get(), allMounted.get());
    }

    StormResult realStorm(String label, boolean globalLock) throws Exception {
        Path root = tmp.resolve(label);
        StandinCopy standin = standin(root.resolve("bin"), MOUNT_DELAY_MS);
        List<ConnectionInfo> infos = new ArrayList<>();
        for (int i = 0; i < EXPORTS; i++) {
            String export = "10.0.0." + (i + 1) + "/storm-" + i;
            volumeIn(standin, export);
            infos.add(info(export));
        }
        try (ProcessCommandExecutor executor = realExecutor(standin); StatxProbe probe = new StatxProbe(32)) {
            QuobyteEngine engine = new QuobyteEngine(configuration(root.resolve("mnt")).maxConcurrentOperations(8)
                    .operationQueueTimeoutMs(120_000).build(), executor, new MountTable.Proc(), probe, NO_SYSTEMD, 0);
            engine.useSingleGlobalLock(globalLock);
            engine.start();
            StormResult r = storm(engine, infos, () -> executor.statistics().get("mount.quobyte").runs());
            report("real-" + label + " counters: " + engine.counterSnapshot() + "; mount.quobyte: " + executor.statistics().get("mount.quobyte"));
            engine.close();
            return r;
        } finally {
            StandinCopy.detachAllBelow(root);
        }
    }

    @Test
    void attachStormWithTheRealStandIn() throws Exception {
        assumeTrue(real(), "needs VOLUMEDRIVER_REAL_TESTS=required");
        compareStorms("real stand-in", this::realStorm);
    }

    /** In-process: the mount command sleeps 100 ms and edits a synthetic table; probe and journal are real code paths minus the kernel. */
    static final class SleepingExecutor implements CommandExecutor {
        final List<MountEntry> table = new CopyOnWriteArrayList<>();
        final AtomicInteger mounts = new AtomicInteger();

        @Override
        public CommandResult run(CommandRequest r) {
            if (r.command().equals("mount.quobyte")) {
                try {
                    Thread.sleep(MOUNT_DELAY_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                mounts.incrementAndGet();
                String dir = r.arguments().get(2);
                try {
                    Files.write(Path.of(dir).resolve(VOLUME), new byte[0]);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                table.add(new MountEntry(table.size() + 100, 1, "0:1", "/", dir, "rw", "fuse.quobyte", "quobyte@x", "rw", false));
            }
            return new CommandResult(r.command(), List.of(r.command()), 0, "", "", false, Duration.ZERO, false);
        }

        @Override
        public List<CommandDefinition> allowlist() {
            return List.of();
        }

        @Override
        public Map<String, CommandStatistics> statistics() {
            return Map.of();
        }
    }

    StormResult fakeStorm(String label, boolean globalLock) throws Exception {
        Path root = System.getProperty("bench.root") != null ? Files.createTempDirectory(Path.of(System.getProperty("bench.root")), label)
                : tmp.resolve(label);
        List<ConnectionInfo> infos = new ArrayList<>();
        for (int i = 0; i < EXPORTS; i++) {
            infos.add(info("10.0.0." + (i + 1) + "/storm-" + i));
        }
        SleepingExecutor executor = new SleepingExecutor();
        MountTable table = () -> new ArrayList<>(executor.table);
        HealthProbe probe = (dir, timeout) -> ProbeResult.ok();
        QuobyteEngine engine = new QuobyteEngine(configuration(root.resolve("mnt"))
                .maxConcurrentOperations(8).operationQueueTimeoutMs(120_000).build(), executor, table, probe, NO_SYSTEMD,
                org.volumedriver.quobyte.internal.MountLayout.currentUid());
        engine.useSingleGlobalLock(globalLock);
        engine.start();
        StormResult r = storm(engine, infos, () -> executor.mounts.get());
        report(label + " counters: " + engine.counterSnapshot());
        engine.close();
        return r;
    }

    @Test
    void attachStormInProcess() throws Exception {
        compareStorms("in-process sleeping mount helper", (label, global) -> fakeStorm("fake-" + label, global));
    }

    @FunctionalInterface
    interface StormRunner {
        StormResult run(String label, boolean globalLock) throws Exception;
    }

    /**
     * One unmeasured round of each design first (the JIT compiles the connect path meanwhile; on
     * two cores a cold first round spends a third of its CPU in the compiler), then measured rounds
     * alternating per-directory and global, reported as medians and per-round ratios.
     */
    void compareStorms(String title, StormRunner runner) throws Exception {
        int rounds = Integer.getInteger("bench.storm.rounds", 3);
        List<StormResult> perDir = new ArrayList<>();
        List<StormResult> global = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) {
            StormResult p = runner.run("perdir-" + round, false);
            StormResult g = runner.run("global-" + round, true);
            for (StormResult r : List.of(p, g)) {
                assertEquals(EXPORTS, r.mounts(), "exactly one mount per export");
                assertEquals(0, r.failures());
            }
            if (round > 0) {
                perDir.add(p);
                global.add(g);
            }
        }
        long perDirMs = median(perDir, StormResult::millis);
        long globalMs = median(global, StormResult::millis);
        long perDirMounted = median(perDir, StormResult::allMountedMillis);
        long globalMounted = median(global, StormResult::allMountedMillis);
        StringBuilder ratios = new StringBuilder();
        for (int i = 0; i < rounds; i++) {
            ratios.append(i == 0 ? "" : ", ").append(String.format("%.1fx", (double) global.get(i).millis() / perDir.get(i).millis()));
        }
        report(String.format("attach storm, %s [journal.sync=%s] (%d threads, %d connects in all, %d exports, mount helper sleeps %d ms, "
                + "1 warm-up + %d rounds, medians): per-directory locks + 8 concurrent mounts %d ms (all mounted after %d ms); "
                + "single global lock %d ms (all mounted after %d ms); speed-up %.1fx (all mounted: %.1fx); per round: %s; "
                + "exactly %d mounts and 0 failures in every run",
                title, journalSync(configuration(tmp).build()), THREADS, CONNECTS, EXPORTS, MOUNT_DELAY_MS, rounds, perDirMs, perDirMounted,
                globalMs, globalMounted, (double) globalMs / perDirMs, (double) globalMounted / perDirMounted, ratios, EXPORTS));
    }

    static long median(List<StormResult> results, java.util.function.ToLongFunction<StormResult> value) {
        long[] sorted = results.stream().mapToLong(value).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    // ------------------------------------------------------------------ mountinfo parsing

    static String syntheticMountinfo(int entries) {
        StringBuilder sb = new StringBuilder(entries * 160);
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < entries; i++) {
            String hash = hex.toHexDigits((long) i * 2654435761L) + hex.toHexDigits((long) i * 40503L);
            if (i % 10 == 0) {
                sb.append(i + 20).append(" 1 8:").append(i % 256).append(" / /srv/with\\040space/").append(i)
                        .append(" rw,relatime shared:").append(i).append(" - ext4 /dev/vda rw\n");
            } else {
                sb.append(i + 20).append(" 1 0:").append(i % 4096).append(" / /var/lib/volumedriver/quobyte/mnt/").append(hash)
                        .append(" rw,nosuid,nodev,relatime shared:").append(i).append(" - fuse.quobyte quobyte@reg1:7861|reg2:7861/vol-")
                        .append(i).append(" rw,user_id=0,group_id=0\n");
            }
        }
        return sb.toString();
    }

    @Test
    void mountinfoParsing() throws Exception {
        for (int entries : new int[] { 1_000, 10_000, 100_000 }) {
            String text = syntheticMountinfo(entries);
            int warmup = entries >= 100_000 ? 10 : 200;
            int runs = entries >= 100_000 ? 30 : 300;
            for (int i = 0; i < warmup; i++) {
                assertEquals(entries, MountInfoParser.parse(text).size());
            }
            long[] nanos = new long[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                List<MountEntry> es = MountInfoParser.parse(text);
                nanos[i] = System.nanoTime() - t0;
                assertEquals(entries, es.size());
            }
            Arrays.sort(nanos);
            report(String.format("mountinfo parse %,d entries (%,d bytes): median %.2f ms, min %.2f ms", entries, text.length(),
                    percentile(nanos, 0.5) / 1e6, nanos[0] / 1e6));
        }
    }
}
