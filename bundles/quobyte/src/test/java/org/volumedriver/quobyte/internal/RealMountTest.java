package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME2;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.testsupport.RealTests;

/**
 * Real mounts: the FUSE stand-in for the Quobyte client, the real executor, the real kernel mount
 * table and the native probe. Runs as root in a private mount namespace; required when
 * VOLUMEDRIVER_REAL_TESTS=required, skipped otherwise.
 */
class RealMountTest extends RealHostFixture {

    @BeforeAll
    static void prerequisites() {
        // they mount file systems: only on request, inside the private mount namespace the request implies
        RealTests.onlyWhenRequired("the real-mount test").needFuseStandin().check();
    }

    long mountRuns() {
        var s = executor.statistics().get("mount.quobyte");
        return s == null ? 0 : s.runs();
    }

    @Test
    void connectMountsForRealAndTheLastDisconnectUnmounts() throws Exception {
        byte[] content = "guest disk".getBytes();
        Files.write(store.resolve(VOLUME1), content);
        QuobyteEngine e = engine();
        DiskSpec d = e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        assertEquals(dir.resolve(VOLUME1).toString(), d.sourcePath());
        assertEquals(java.util.Optional.of(Fakes.UUID1), d.serial(), "the guest sees the volume id");
        assertTrue(Files.isRegularFile(Path.of(d.sourcePath())));
        assertArrayEquals(content, Files.readAllBytes(Path.of(d.sourcePath())), "the disk is the file in the export");
        MountEntry m = MountTable.visibleAt(new MountTable.Proc().read(), dir.toString()).orElseThrow();
        assertEquals("fuse.quobyte", m.fsType());
        assertEquals(1, mountRuns());

        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2"));
        assertEquals(1, mountRuns(), "a second attachment runs no command");
        assertEquals(1, executor.statistics().values().stream().mapToLong(s -> s.runs()).sum());

        assertEquals(DisconnectOutcome.STILL_IN_USE, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertTrue(mounted());
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
        assertFalse(mounted());
        assertFalse(Files.exists(dir), "the mount directory is removed");
    }

    @Test
    void killedClientIsSeenAsEnotconnAndHealedByTheNextConnect() throws Exception {
        Files.write(store.resolve(VOLUME1), new byte[0]);
        QuobyteEngine e = engine();
        // a mount whose client dies with nothing attached (left by an earlier run)
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        Process p = new ProcessBuilder(standin.toString(), "--disable-xattrs", EXPORT, dir.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        assertTrue(mounted());
        signal("-KILL", daemonPid());
        waitUntilErrno(Errno.ENOTCONN);

        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        assertTrue(StatxProbe.statNow(dir).isHealthy());
        assertEquals(1L, e.counterSnapshot().get("heals"));
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state());
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
    }

    void awaitNoBlockedProbe(String why) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (probe.blocked() > 0) {
            assertTrue(System.nanoTime() < end, why);
            Thread.sleep(20);
        }
    }

    void waitUntilErrno(int errno) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (StatxProbe.statNow(dir).errno() != errno) {
            assertTrue(System.nanoTime() < end, "errno " + errno + " not seen");
            Thread.sleep(20);
        }
    }

    @Test
    void killedClientUnderAttachmentsIsStaleInUseUntilForced() throws Exception {
        Files.write(store.resolve(VOLUME1), new byte[0]);
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        signal("-KILL", daemonPid());
        waitUntilErrno(Errno.ENOTCONN);
        StaleMountInUseException ex = assertThrows(StaleMountInUseException.class,
                () -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
        assertEquals(1, ex.attachments());
        assertEquals(1, mountRuns());
        MountStatus s = e.heal(dir.toString(), true);
        assertEquals(MountState.HEALTHY, s.state());
        assertEquals(1, s.attachments().size());
        assertTrue(StatxProbe.statNow(dir).isHealthy());
    }

    @Test
    void stoppedClientTimesOutWithoutBlockingTheCaller() throws Exception {
        Files.write(store.resolve(VOLUME1), new byte[0]);
        QuobyteEngine e = engine(Settings.builder().probeTimeoutMs(300));
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        String pid = daemonPid();
        stop(pid);
        try {
            long start = System.nanoTime();
            assertThrows(StaleMountInUseException.class, () -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "the caller got its answer in bounded time: " + millis + " ms");
            assertEquals(MountState.STALE, e.mounts().get(0).state());
            assertEquals(1, probe.blocked(), "only the probe worker is stuck in the kernel");
            // a second attempt does not pile up another blocked worker
            assertThrows(StaleMountInUseException.class, () -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
            assertEquals(1, probe.blocked());
        } finally {
            signal("-CONT", pid);
        }
        awaitNoBlockedProbe("the probe worker is released once the client runs again");
        assertEquals(MountState.HEALTHY, e.heal(dir.toString(), false).state());
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
    }

    @Test
    void aProbeBlockedOnAStoppedClientDoesNotJudgeTheFreshMountAfterAForcedHeal() throws Exception {
        Files.write(store.resolve(VOLUME1), new byte[0]);
        // without the abort (switched off, or failed) the old worker stays blocked on the detached client;
        // with it, it returns at once (RealHungClientTest)
        QuobyteEngine e = engine(Settings.builder().probeTimeoutMs(300).healAbort(false));
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        String stopped = daemonPid();
        stop(stopped);
        try {
            ProbeResult first = probe.probe(dir, Duration.ofMillis(300));
            assertEquals(ProbeResult.Verdict.STALE, first.verdict());
            assertTrue(first.timedOut());
            assertEquals(ProbeResult.Verdict.STALE, probe.probe(dir, Duration.ofMillis(300)).verdict(), "still blocked");
            assertEquals(1, probe.blocked());

            // the stale mount goes (lazily: the blocked stat keeps it busy) and a fresh client is mounted on the same directory
            MountStatus s = e.heal(dir.toString(), true);
            assertEquals(MountState.HEALTHY, s.state(), s.detail());
            assertEquals(2, mountRuns());
            // umount(8) does not canonicalize the path, which would stat through the stopped client and
            // hang until umount.timeout.ms: the plain unmount is refused at once, then the lazy one works
            assertEquals(2, executor.statistics().get("umount").runs());
            assertEquals(0, executor.statistics().get("umount").timeouts());
            assertTrue(probe.probe(dir, Duration.ofSeconds(2)).isHealthy(), "the new mount is probed afresh");
            assertEquals(1, probe.blocked(), "the old worker stays blocked on the detached mount, and only it");
            assertEquals(dir.resolve(VOLUME1).toString(), e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")).sourcePath());
            assertEquals(DisconnectOutcome.STILL_IN_USE, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
            assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm2")));
            assertFalse(mounted());
        } finally {
            // the pid file now names the new client: end the stopped one here
            signal("-CONT", stopped);
            signal("-KILL", stopped);
        }
        awaitNoBlockedProbe("the blocked worker is released once the old client is gone");
    }

    @Test
    void openFileMakesTheUnmountBusyAndStateStaysConsistent() throws Exception {
        Files.write(store.resolve(VOLUME1), new byte[16]);
        QuobyteEngine e = engine();
        DiskSpec d = e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        try (FileChannel open = FileChannel.open(Path.of(d.sourcePath()), StandardOpenOption.READ)) {
            assertEquals(DisconnectOutcome.BUSY, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
            assertTrue(mounted());
            MountStatus s = e.mounts().get(0);
            assertEquals(MountState.BUSY, s.state());
            assertTrue(s.attachments().isEmpty());
            assertEquals(DisconnectOutcome.NOT_ATTACHED, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
            assertEquals(1L, e.counterSnapshot().get("unmount.busy"));
        }
        // once the file is closed the watchdog finishes the unmount
        e.watchdogScan();
        assertFalse(mounted());
        assertFalse(Files.exists(dir));
        assertTrue(e.mounts().isEmpty());
    }

    @Test
    void hostileBaseAndNonEmptyMountDirectoryAreRefused() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThrows(InvalidConfigurationException.class,
                () -> new QuobyteEngine(Settings.builder().mountBase(open.toString()).build(), executor, new MountTable.Proc(), probe,
                        NO_SYSTEMD, 0).start());
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Files.createDirectory(tmp.resolve("target")));
        InvalidConfigurationException ex = assertThrows(InvalidConfigurationException.class,
                () -> new QuobyteEngine(Settings.builder().mountBase(link.toString()).build(), executor, new MountTable.Proc(), probe,
                        NO_SYSTEMD, 0).start());
        assertEquals("mount.base", ex.key());
        QuobyteEngine e = engine();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(dir.resolve("planted"), "x");
        assertThrows(UnsafePathException.class, () -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertEquals(0, mountRuns());
        assertFalse(mounted());
    }

    @Test
    void failingClientAndFailedValidationLeaveNothingBehind() throws Exception {
        Files.write(store.resolve(VOLUME1), new byte[0]);
        QuobyteEngine e = engine();
        Files.writeString(standin.resolveSibling("exit-status"), "4");
        CommandFailedException f = assertThrows(CommandFailedException.class,
                () -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertEquals(4, f.exitStatus());
        assertFalse(mounted());
        assertFalse(Files.exists(dir));
        Files.delete(standin.resolveSibling("exit-status"));
        Files.writeString(standin.resolveSibling("root-size"), "4096");
        assertThrows(MountUnhealthyException.class, () -> e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertFalse(mounted(), "the mount that failed validation was undone");
        assertFalse(Files.exists(dir));
        assertTrue(e.mounts().isEmpty());
    }

    @Test
    void aNewEngineRecoversAttachmentsOverLiveMounts() throws Exception {
        Files.write(store.resolve(VOLUME1), new byte[0]);
        Files.write(store.resolve(VOLUME2), new byte[0]);
        QuobyteEngine first = engine();
        first.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        first.connect(info(EXPORT, VOLUME2), new Attachment(VOLUME2, "vm2"));
        first.close();
        engines.remove(first);

        QuobyteEngine second = engine();
        MountStatus s = second.mounts().get(0);
        assertEquals(2, s.attachments().size());
        assertEquals(MountState.HEALTHY, s.state());
        assertEquals(DisconnectOutcome.STILL_IN_USE, second.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertTrue(mounted());
        assertEquals(DisconnectOutcome.UNMOUNTED, second.disconnect(info(EXPORT, VOLUME2), new Attachment(VOLUME2, "vm2")));
        assertFalse(mounted());
        assertEquals(1, mountRuns());
    }

    @Test
    void anAssistedSnapshotsOverlayIsInspectedThroughTheClientAndTheAttachmentFollowsItAcrossARestart() throws Exception {
        RealTests.require(Files.isExecutable(Qcow2QemuTest.QEMU_IMG), "qemu-img is not installed (Debian package qemu-utils)");
        String snap = VOLUME1 + "." + Fakes.UUID2;
        Files.write(store.resolve(VOLUME1), new byte[1 << 20]);
        QuobyteEngine e = engine();
        Attachment guest = new Attachment(VOLUME1, "vm1");
        e.connect(info(EXPORT, VOLUME1), guest);
        // made through the mount, as Nova makes the new active file
        Qcow2QemuTest.qemuImg(dir, "create", "-f", "qcow2", "-b", VOLUME1, "-F", "raw", snap, "1M");
        org.volumedriver.spi.VolumeImage top = e.inspectImage(info(EXPORT, VOLUME1), snap);
        assertEquals(List.of("qcow2", VOLUME1, "raw"), List.of(top.format(), top.backingFile().orElseThrow(), top.backingFormat().orElseThrow()));
        assertEquals(1 << 20, top.virtualSize());
        assertEquals("raw", e.inspectImage(info(EXPORT, VOLUME1), VOLUME1).format());
        assertEquals(Fakes.UUID1, e.describeDisk(info(EXPORT, snap, "qcow2")).serial().orElseThrow(), "one serial for the chain");

        assertTrue(e.follow(new org.volumedriver.spi.VolumeLocation(dir.toString(), VOLUME1), snap, guest));
        e.close();
        engines.remove(e);
        QuobyteEngine again = engine();
        assertTrue(again.isAttached(new Attachment(snap, "vm1")));
        assertEquals(1, mountRuns(), "the restart found the mount in place");
        assertEquals(DisconnectOutcome.UNMOUNTED, again.disconnect(info(EXPORT, snap, "qcow2"), new Attachment(snap, "vm1")));
        assertFalse(mounted());
    }
}
