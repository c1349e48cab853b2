package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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
        for (int errno : new int[] { Errno.ENOTCONN, Errno.ESTALE, Errno.EIO, Errno.EACCES, Errno.EHOSTDOWN, Errno.EAGAIN, Errno.ENODEV }) {
            assertEquals(ProbeResult.Verdict.STALE, ProbeResult.ofErrno(errno).verdict(), Errno.name(errno));
        }
        assertEquals(ProbeResult.Verdict.ERROR, ProbeResult.ofErrno(Errno.EPERM).verdict());
    }

    @Test
    void probeRunsOnAWorker() throws Exception {
        try (StatxProbe p = new StatxProbe(2)) {
            Path f = Files.write(tmp.resolve("z"), new byte[0]);
            assertTrue(p.probe(f, Duration.ofSeconds(5)).isHealthy());
        }
    }
}
