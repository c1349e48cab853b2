package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native probe on ordinary files: errno is read as a number, st_size as the kernel says. */
class StatxProbeTest {

    @TempDir
    Path tmp;

    @Test
    void errnoIsReadNumerically() {
        ProbeResult r = StatxProbe.statNow(tmp.resolve("missing"));
        assertEquals(Errno.ENOENT, r.errno());
        assertEquals(ProbeResult.Verdict.ERROR, r.verdict(), "ENOENT is not in the corrupted-mount set");
    }

    @Test
    void sizeIsRead() throws Exception {
        Path f = Files.write(tmp.resolve("f"), new byte[1234]);
        ProbeResult r = StatxProbe.statNow(f);
        assertEquals(1234, r.size());
        assertEquals(ProbeResult.Verdict.STALE, r.verdict(), "a mount root must report st_size 0");
        assertTrue(StatxProbe.statNow(Files.write(tmp.resolve("empty"), new byte[0])).isHealthy());
    }

    @Test
    void corruptedSetIsStale() {
        for (int errno : new int[] { Errno.ENOTCONN, Errno.ESTALE, Errno.EIO, Errno.EACCES, Errno.EHOSTDOWN, Errno.EAGAIN, Errno.ENODEV,
            Errno.ECONNABORTED }) {
            assertEquals(ProbeResult.Verdict.STALE, ProbeResult.ofErrno(errno).verdict(), Errno.name(errno));
        }
        assertEquals(ProbeResult.Verdict.ERROR, ProbeResult.ofErrno(Errno.EPERM).verdict());
    }

    @Test
    void theKernelsUniqueMountIdIsReadWithoutTouchingTheFileSystem() throws Exception {
        java.util.OptionalLong here = StatxProbe.uniqueMountId(tmp);
        if (here.isPresent()) { // Linux 6.8 and later
            // one mount for the temporary directory and a file in it; another for /proc
            assertEquals(here, StatxProbe.uniqueMountId(Files.write(tmp.resolve("f"), new byte[0])));
            assertFalse(here.equals(StatxProbe.uniqueMountId(Path.of("/proc"))));
        }
        assertEquals(java.util.OptionalLong.empty(), StatxProbe.uniqueMountId(tmp.resolve("missing")));
    }

    @Test
    void probeRunsOnAWorker() throws Exception {
        try (StatxProbe p = new StatxProbe(2)) {
            Path f = Files.write(tmp.resolve("z"), new byte[0]);
            assertTrue(p.probe(f, Duration.ofSeconds(5)).isHealthy());
        }
    }

    /** A stat that blocks like a SIGSTOPped FUSE server on the directories in {@code hung}, until released. */
    static final class HangingStat implements java.util.function.Function<Path, ProbeResult> {
        final java.util.Set<Path> hung = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final CountDownLatch release = new CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public ProbeResult apply(Path p) {
            calls.incrementAndGet();
            if (hung.contains(p)) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // shutdownNow: a real blocked stat ignores this, the fake just ends
                }
                return ProbeResult.ofErrno(Errno.ENOTCONN);
            }
            return ProbeResult.ok();
        }
    }

    @Test
    void forgetLetsTheNextMountOnTheDirectoryBeProbedAfresh() {
        HangingStat stat = new HangingStat();
        Path d = tmp.resolve("mnt");
        stat.hung.add(d);
        try (StatxProbe p = new StatxProbe(4, stat)) {
            ProbeResult first = p.probe(d, Duration.ofMillis(100));
            assertEquals(ProbeResult.Verdict.STALE, first.verdict());
            assertTrue(first.timedOut());
            ProbeResult again = p.probe(d, Duration.ofMillis(100));
            assertEquals(ProbeResult.Verdict.STALE, again.verdict());
            assertEquals(1, stat.calls.get(), "no second worker is sent into the hung mount");
            assertEquals(1, p.blocked());

            p.forget(d); // the hung mount was unmounted; a new one is mounted there
            stat.hung.remove(d);
            assertTrue(p.probe(d, Duration.ofSeconds(5)).isHealthy());
            assertEquals(2, stat.calls.get());
            assertEquals(1, p.blocked(), "the forgotten worker is still counted while it is blocked");
            p.forget(tmp.resolve("never-probed")); // harmless
            stat.release.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (p.blocked() > 0) {
                assertTrue(System.nanoTime() < end, "released workers are no longer counted");
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void blockedWorkersDoNotStopOtherDirectoriesUntilTheCap() throws Exception {
        HangingStat stat = new HangingStat();
        try (StatxProbe p = new StatxProbe(3, stat)) {
            for (int i = 0; i < 2; i++) {
                Path hung = tmp.resolve("hung" + i);
                stat.hung.add(hung);
                assertTrue(p.probe(hung, Duration.ofMillis(50)).timedOut());
                p.forget(hung); // even forgotten, a blocked worker holds its thread
            }
            assertEquals(2, p.blocked());
            assertTrue(p.probe(tmp.resolve("healthy"), Duration.ofSeconds(5)).isHealthy(), "a healthy export is still probed");
            Path third = tmp.resolve("hung2");
            stat.hung.add(third);
            ProbeResult r = p.probe(third, Duration.ofMillis(50));
            for (int i = 0; i < 100 && r.verdict() == ProbeResult.Verdict.ERROR; i++) {
                Thread.sleep(10); // the healthy probe's worker may not be idle yet
                r = p.probe(third, Duration.ofMillis(50));
            }
            assertTrue(r.timedOut(), r.detail());
            ProbeResult refused = p.probe(tmp.resolve("healthy"), Duration.ofSeconds(5));
            assertEquals(ProbeResult.Verdict.ERROR, refused.verdict(), "the cap is a clear ERROR, not a hang");
            assertFalse(refused.timedOut());
            assertTrue(refused.detail().contains("cap"), refused.detail());
            stat.release.countDown();
        }
        assertEquals(64, StatxProbe.DEFAULT_MAX_WORKERS);
    }
}
