package org.volumedriver.quobyte.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;
import org.volumedriver.quobyte.HealReport;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.internal.BlockedReader;
import org.volumedriver.quobyte.internal.MountLayout;
import org.volumedriver.quobyte.internal.MountTable;
import org.volumedriver.quobyte.internal.QuobyteEngine;
import org.volumedriver.quobyte.internal.Settings;
import org.volumedriver.quobyte.internal.StandinCopy;
import org.volumedriver.quobyte.internal.StatxProbe;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.testsupport.ProcStat;
import org.volumedriver.testsupport.ShippedExecutor;

/**
 * How long a process blocked in read(2) on a hung client's volume waits after a forced heal
 * begins, until its read fails (run on demand, see README.md; needs VOLUMEDRIVER_REAL_TESTS=required).
 * Five rounds each of two cases, alternating:
 * <ul>
 * <li>known: the hang was already seen (an administrator listed the mounts, or the watchdog
 * probed), so the heal's probe answers at once from the blocked earlier probe;</li>
 * <li>unknown: the heal's own probe has to time out first ({@code probe.timeout.ms = 1000}).</li>
 * </ul>
 * Each round mounts the FUSE stand-in afresh, stops its daemon under a reader, heals with
 * {@code force}, and times the reader's error from the start of the heal.
 */
class HungClientHealBenchmark {

    static final String EXPORT = "10.0.0.1/hung";
    static final String VOLUME = QuobyteBenchmark.VOLUME;
    static final int ROUNDS = Integer.getInteger("bench.hung.rounds", 5);

    @TempDir
    Path tmp;

    @Test
    void forcedHealToTheBlockedReadersError() throws Exception {
        assumeTrue(QuobyteBenchmark.real(), "needs VOLUMEDRIVER_REAL_TESTS=required");
        StandinCopy standin = StandinCopy.in(tmp.resolve("bin"));
        Path store = standin.store(EXPORT);
        Files.write(store.resolve(VOLUME), new byte[64 * 1024]);
        Path dir = tmp.resolve("mnt").resolve(MountLayout.hash(EXPORT));
        ConnectionInfo info = QuobyteBenchmark.info(EXPORT);
        long[] known = new long[ROUNDS];
        long[] unknown = new long[ROUNDS];
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.fromProperties(ShippedExecutor.properties(standin.executable())));
                StatxProbe probe = new StatxProbe(8)) {
            QuobyteEngine engine = new QuobyteEngine(Settings.builder().mountBase(tmp.resolve("mnt").toString()).watchdogEnabled(false)
                    .probeTimeoutMs(1000).build(), executor, new MountTable.Proc(), probe, new SystemdDecision(false, "off", "benchmark"),
                    MountLayout.currentUid());
            engine.start();
            engine.connect(info, new Attachment(VOLUME, "vm"));
            for (int round = 0; round < 2 * ROUNDS; round++) {
                boolean seenBefore = round % 2 == 0;
                long millis = oneRound(engine, probe, store, dir, seenBefore);
                (seenBefore ? known : unknown)[round / 2] = millis;
            }
            engine.close();
        } finally {
            StandinCopy.detachAllBelow(tmp);
        }
        QuobyteBenchmark.report(String.format("hung client, forced heal to the blocked reader's error, %d rounds each: "
                + "hang already seen median %d ms (%s), heal probing itself (probe.timeout.ms=1000) median %d ms (%s)",
                ROUNDS, median(known), Arrays.toString(known), median(unknown), Arrays.toString(unknown)));
    }

    /** One hang and heal of the mounted export; the engine's attachment keeps it mounted across rounds. */
    private long oneRound(QuobyteEngine engine, StatxProbe probe, Path store, Path dir, boolean seenBefore) throws Exception {
        Path pidFile = store.resolveSibling(store.getFileName() + ".pid");
        String pid = StandinCopy.daemonPid(store, dir);
        try (BlockedReader reader = BlockedReader.open(dir.resolve(VOLUME))) {
            stop(pid);
            reader.read();
            assertTrue(reader.awaitBlockedInRead(Duration.ofSeconds(5)));
            if (seenBefore) {
                engine.mounts(); // the listing's probe times out and stays blocked: the hang is known
            }
            Files.delete(pidFile); // the fresh client writes its own
            long start = System.nanoTime();
            HealReport r = engine.healReport(dir.toString(), true);
            OptionalInt errno = reader.awaitResult(Duration.ofSeconds(10));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(errno.isPresent() && errno.getAsInt() != 0, "the reader got an error");
            assertEquals(HealStep.Outcome.DONE, r.steps().get(0).outcome(), r.steps().toString());
            return millis;
        } finally {
            kill(pid);
            assertEquals(0, probe.blocked());
        }
    }

    private static void stop(String pid) throws Exception {
        new ProcessBuilder("/bin/kill", "-STOP", pid).start().waitFor(5, TimeUnit.SECONDS);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ProcStat.taskStates(Long.parseLong(pid)).stream().allMatch(s -> s == 'T')) {
            assertTrue(System.nanoTime() < end, "the client did not stop");
            Thread.sleep(5);
        }
    }

    private static void kill(String pid) throws Exception {
        new ProcessBuilder("/bin/kill", "-CONT", pid).start().waitFor(5, TimeUnit.SECONDS);
        new ProcessBuilder("/bin/kill", "-KILL", pid).start().waitFor(5, TimeUnit.SECONDS);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
