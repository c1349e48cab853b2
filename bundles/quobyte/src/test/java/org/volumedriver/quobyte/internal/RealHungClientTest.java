package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.quobyte.ConnectionMismatchException;
import org.volumedriver.quobyte.HealReport;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.quobyte.HealStep.Action;
import org.volumedriver.quobyte.HealStep.Outcome;
import org.volumedriver.quobyte.QuobyteMount;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.MountState;
import org.volumedriver.testsupport.RealTests;

/**
 * A hung client cut loose for real (D4–D6): the FUSE stand-in SIGSTOPped under a separate process
 * blocked in read(2) on the volume file, the real executor with the shipped allowlist (fusectl
 * mounted and the abort written through it), the real kernel. Required under scripts/test.
 */
class RealHungClientTest extends RealHostFixture {

    /** What a read cut off by an abort answers: the request in flight, or a new one on the dead connection. */
    static final Set<Integer> CUT_OFF = Set.of(Errno.ECONNABORTED, Errno.ENOTCONN, Errno.EIO);
    static final Path FUSECTL = Path.of(FuseControl.CONNECTIONS);

    final List<String> stopped = new ArrayList<>();
    final List<BlockedReader> readers = new ArrayList<>();

    @BeforeAll
    static void prerequisites() {
        RealTests.onlyWhenRequired("the hung-client test").needFuseStandin()
                .need(Files.isDirectory(FUSECTL), FUSECTL + " (fusectl built into the kernel)")
                .need(Files.isExecutable(Path.of("/usr/bin/perl")), "/usr/bin/perl")
                .check();
    }

    @BeforeEach
    void volumeOfTheHungClient() throws Exception {
        Files.write(store.resolve(VOLUME1), new byte[64 * 1024]);
    }

    /** Idle probe workers end after 300 ms, so that the pool's shrinking can be watched. */
    @Override
    StatxProbe newProbe() {
        return new StatxProbe(8, StatxProbe::statNow, Duration.ofMillis(300));
    }

    /** Runs before the host's own tear-down: the readers go, the stopped clients are killed. */
    @AfterEach
    void releaseReadersAndStoppedClients() throws Exception {
        readers.forEach(BlockedReader::close);
        for (String pid : stopped) {
            signal("-CONT", pid);
            signal("-KILL", pid);
        }
    }

    /** Stops the client under {@code dir} with a reader of the volume file blocked in read(2) on it. */
    BlockedReader hangWithABlockedReader() throws Exception {
        String pid = daemonPid();
        BlockedReader reader = BlockedReader.open(dir.resolve(VOLUME1));
        readers.add(reader);
        stop(pid);
        stopped.add(pid);
        reader.read();
        assertTrue(reader.awaitBlockedInRead(Duration.ofSeconds(5)), "the reader sleeps in read(2) on the stopped client");
        return reader;
    }

    FuseConnection connection() throws Exception {
        return FuseConnection.of(MountTable.visibleAt(new MountTable.Proc().read(), dir.toString()).orElseThrow()).orElseThrow();
    }

    /** In the test's private mount namespace: so that the heal has to mount fusectl itself. */
    static void unmountFusectl() throws Exception {
        if (MountTable.visibleAt(new MountTable.Proc().read(), FUSECTL.toString()).isPresent()) {
            assertEquals(0, new ProcessBuilder("/usr/bin/umount", FUSECTL.toString()).inheritIO().start().waitFor());
        }
    }

    long runs(String command) {
        var stats = executor.statistics().get(command);
        return stats == null ? 0 : stats.runs();
    }

    static long probeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("quobyte-probe-") && t.isAlive()).count();
    }

    static Outcome outcome(HealReport r, Action a) {
        return r.steps().stream().filter(s -> s.action() == a).map(HealStep::outcome).findFirst()
                .orElseThrow(() -> new AssertionError(a + " missing in " + r.steps()));
    }

    @Test
    void aForcedHealAbortsTheHungClientSoTheBlockedReaderGetsAnErrorWithinTwoSeconds() throws Exception {
        unmountFusectl();
        QuobyteEngine e = engine(Settings.builder());
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        FuseConnection hung = connection();
        long hungMount = StatxProbe.uniqueMountId(dir).orElseThrow();
        BlockedReader reader = hangWithABlockedReader();

        long start = System.nanoTime();
        HealReport r = e.healReport(dir.toString(), true);
        OptionalInt errno = reader.awaitResult(Duration.ofSeconds(2));
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertTrue(errno.isPresent(), "the reader is still blocked " + millis + " ms after the heal began: " + r.steps());
        assertTrue(CUT_OFF.contains(errno.getAsInt()), "the read failed with errno " + errno.getAsInt());
        assertTrue(millis < 2000, "the reader got its error " + millis + " ms after the heal began");
        System.out.println("[hung client] forced heal to the reader's error: " + millis + " ms (errno " + errno.getAsInt() + ")");

        assertEquals(Outcome.DONE, outcome(r, Action.ABORT), r.steps().toString());
        String abort = r.steps().get(0).detail();
        assertTrue(abort.contains("connection " + hung + " aborted") && abort.contains("fusectl mounted"), abort);
        assertEquals(Outcome.DONE, outcome(r, Action.REMOUNT));
        assertEquals(MountState.HEALTHY, r.status().state());
        assertFalse(StatxProbe.uniqueMountId(dir).orElseThrow() == hungMount, "a fresh mount (its connection number may be the old one's)");
        assertEquals(1L, e.counterSnapshot().get("heal.abort.done"));

        // the probe worker that was blocked on the old client returned at the abort; the pool shrinks back
        assertEquals(0, probe.blocked(), "no probe worker is left blocked");
        assertTrue(probe.probe(dir, Duration.ofSeconds(2)).isHealthy(), "the next probe of the new mount is HEALTHY");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (probeThreads() > 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertEquals(0, probeThreads(), "every probe worker ended once idle");
        assertEquals(dir.resolve(VOLUME1).toString(), e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")).sourcePath());
        assertEquals(DisconnectOutcome.STILL_IN_USE, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
    }

    @Test
    void withoutTheAbortTheBlockedReaderIsStillBlockedTenSecondsAfterTheHeal() throws Exception {
        QuobyteEngine e = engine(Settings.builder().healAbort(false));
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        BlockedReader reader = hangWithABlockedReader();

        HealReport r = e.healReport(dir.toString(), true);
        assertEquals(Outcome.SKIPPED, outcome(r, Action.ABORT));
        assertEquals(Outcome.DONE, outcome(r, Action.LAZY_UNMOUNT), "the reader keeps the old mount busy: detached lazily");
        assertEquals(MountState.HEALTHY, r.status().state(), "the fresh mount serves new users");

        assertTrue(reader.awaitResult(Duration.ofSeconds(10)).isEmpty(), "the fault: the reader still hangs on the detached client");
        assertTrue(reader.blockedInRead());
        assertEquals(1, probe.blocked(), "and the probe worker blocked on it stays, one per hung mount");
        assertEquals(1, probeThreads());
    }

    @Test
    void aMountRemountedBehindOurBackIsNeitherAbortedNorUnmounted() throws Exception {
        QuobyteEngine e = engine(Settings.builder());
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        String ours = daemonPid();
        // someone else detaches our mount and mounts another client on the same directory
        assertEquals(0, new ProcessBuilder("/usr/bin/umount", "-l", dir.toString()).inheritIO().start().waitFor());
        Files.delete(store.resolveSibling(store.getFileName() + ".pid"));
        assertEquals(0, new ProcessBuilder(standin.toString(), "--disable-xattrs", EXPORT, dir.toString()).inheritIO().start().waitFor());
        stopped.add(ours);
        FuseConnection theirs = connection();
        BlockedReader reader = hangWithABlockedReader();
        long umounts = runs("umount");

        ConnectionMismatchException ex = assertThrows(ConnectionMismatchException.class, () -> e.healReport(dir.toString(), true));
        assertEquals(theirs.number(), ex.mounted());
        assertEquals(umounts, runs("umount"), "nothing unmounted");
        assertEquals(0, runs(CommandFuseControl.ABORT_COMMAND), "no abort written");
        assertTrue(reader.awaitResult(Duration.ofSeconds(1)).isEmpty(), "their client's reader is left alone");
        assertEquals(theirs, connection());
    }

    @Test
    void aHungMountWithoutARecordIsDetachedButNeverAborted() throws Exception {
        QuobyteEngine e = engine(Settings.builder());
        // another agent's mount with the same layout: no record here, never adopted
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        assertEquals(0, new ProcessBuilder(standin.toString(), "--disable-xattrs", EXPORT, dir.toString()).inheritIO().start().waitFor());
        BlockedReader reader = hangWithABlockedReader();

        HealReport r = e.healReport(dir.toString(), true);
        assertEquals(Outcome.SKIPPED, outcome(r, Action.ABORT));
        assertEquals(0, runs(CommandFuseControl.ABORT_COMMAND), "no abort written");
        assertTrue(reader.awaitResult(Duration.ofSeconds(1)).isEmpty());
    }

    @Test
    void aHealthyMountIsNeverAborted() throws Exception {
        QuobyteEngine e = engine(Settings.builder());
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        HealReport r = e.healReport(dir.toString(), true);
        assertEquals(List.of(), r.steps());
        assertEquals(0, runs(CommandFuseControl.ABORT_COMMAND));
        assertEquals(MountState.HEALTHY, r.status().state());
    }

    @Test
    void theWatchdogReportsAClientWhoseRequestsStayUnansweredAndListsTheCount() throws Exception {
        QuobyteEngine e = engine(Settings.builder());
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        FuseConnection c = connection();
        BlockedReader reader = hangWithABlockedReader();

        e.watchdogScan(); // mounts fusectl if needed, first sample
        e.watchdogScan(); // the count stayed: hung
        assertEquals(1L, e.counterSnapshot().get("watchdog.hung"));
        assertTrue(reader.blockedInRead(), "in use: only reported");
        QuobyteMount m = e.mountDetails().get(0);
        assertEquals(c.number(), m.connection().getAsLong());
        assertTrue(m.waiting().getAsLong() >= 1, "the blocked read is waiting: " + m.waiting());
        assertEquals(MountState.STALE, m.status().state());

        HealReport r = e.healReport(dir.toString(), true);
        assertEquals(Outcome.DONE, outcome(r, Action.ABORT));
        assertTrue(reader.awaitResult(Duration.ofSeconds(2)).isPresent());
    }

    @Test
    void anInspectionOfAFileOnAHungClientEndsWithinTheProbeTimeout() throws Exception {
        QuobyteEngine e = engine(Settings.builder());
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        assertEquals("raw", e.inspectImage(info(EXPORT, VOLUME1), VOLUME1).format());
        hangWithABlockedReader();
        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            assertThrows(org.volumedriver.spi.MountUnhealthyException.class, () -> e.inspectImage(info(EXPORT, VOLUME1), VOLUME1));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 3_000, "attempt " + i + " took " + millis + " ms; probe.timeout.ms is 1000");
        }
    }
}
