package org.volumedriver.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.OperationNotSupportedException;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.spi.UnsupportedFormatException;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeLocation;

class FakeVolumeDriverTest {

    private static ConnectionInfo info(String name, String format) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "fake", "data", Map.of("export", "h/v", "name", name, "format", format)));
    }

    @Test
    void attachmentsAreCountedPerExport() throws Exception {
        FakeVolumeDriver driver = new FakeVolumeDriver("fake");
        ConnectionInfo info = info("volume-1", "raw");
        Attachment vm1 = Attachment.of("volume-1", "vm1");
        Attachment vm2 = Attachment.of("volume-1", "vm2");
        DiskSpec disk = driver.connect(info, vm1);
        assertEquals(FakeVolumeDriver.directory("h/v") + "/volume-1", disk.sourcePath());
        driver.connect(info, vm2);
        assertEquals(Set.of(vm1, vm2), driver.mounts().get(0).attachments());
        assertTrue(driver.isAttached(vm1));
        assertEquals(DisconnectOutcome.STILL_IN_USE, driver.disconnect(info, vm1));
        assertEquals(DisconnectOutcome.UNMOUNTED, driver.disconnect(info, vm2));
        assertEquals(DisconnectOutcome.NOT_ATTACHED, driver.disconnect(info, vm2));
        assertEquals(List.of(), driver.mounts());
        assertEquals(List.of("connect " + vm1, "connect " + vm2, "disconnect " + vm1, "disconnect " + vm2, "disconnect " + vm2),
                driver.connectsAndDisconnects());
        assertEquals("validate", driver.calls.get(0));
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsCounted() throws Exception {
        FakeVolumeDriver driver = new FakeVolumeDriver("fake");
        assertThrows(UnsupportedFormatException.class, () -> driver.connect(info("volume-1", "vmdk"), Attachment.of("volume-1", "vm1")));
        assertEquals("data.name", assertThrows(InvalidConnectionInfoException.class,
                () -> driver.describeDisk(info("../etc", "raw"))).field());
        assertEquals(List.of("validate", "validate"), driver.calls);
        assertEquals(List.of(), driver.mounts());
    }

    @Test
    void aFixedDirectoryHoldsEveryVolumeInOneFormat() throws Exception {
        FakeVolumeDriver driver = new FakeVolumeDriver("fake", Path.of("/var/lib/x"), "vmdk");
        DiskSpec disk = driver.describeDisk(info("volume-1", "raw"));
        assertEquals("/var/lib/x/volume-1", disk.sourcePath());
        assertEquals("vmdk", disk.format());
        assertEquals(List.of(), driver.connectsAndDisconnects());
    }

    @Test
    void anEarlierConnectIsCountedWithoutACall() throws Exception {
        FakeVolumeDriver driver = new FakeVolumeDriver("fake");
        Attachment earlier = Attachment.of("volume-1", "vm1");
        driver.connectedEarlier(info("volume-1", "raw"), earlier);
        assertTrue(driver.isAttached(earlier));
        assertEquals(List.of(), driver.calls);
        assertEquals(DisconnectOutcome.UNMOUNTED, driver.disconnect(info("volume-1", "raw"), earlier));
    }

    @Test
    void heldConnectsWaitForTheLatch() throws Exception {
        FakeVolumeDriver driver = new FakeVolumeDriver("fake");
        CountDownLatch gate = driver.holdConnects();
        Attachment vm1 = Attachment.of("volume-1", "vm1");
        CompletableFuture<DiskSpec> connect = CompletableFuture.supplyAsync(() -> {
            try {
                return driver.connect(info("volume-1", "raw"), vm1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (driver.connectsAndDisconnects().isEmpty()) {
            Thread.sleep(5);
        }
        assertFalse(connect.isDone());
        gate.countDown();
        assertEquals(FakeVolumeDriver.directory("h/v") + "/volume-1", connect.get(10, TimeUnit.SECONDS).sourcePath());
    }

    @Test
    void aStaleMountInUseHealsOnlyWithForce() throws Exception {
        FakeVolumeDriver driver = new FakeVolumeDriver("fake");
        driver.connect(info("volume-1", "raw"), Attachment.of("volume-1", "vm1"));
        driver.state("h/v", MountState.STALE);
        String dir = FakeVolumeDriver.directory("h/v");
        assertEquals("stat failed: ENOTCONN", driver.mounts().get(0).detail());
        assertThrows(StaleMountInUseException.class, () -> driver.heal(dir, false));
        assertEquals(MountState.HEALTHY, driver.heal(dir, true).state());
        assertEquals("heal " + dir + " true", driver.calls.get(driver.calls.size() - 1));
        assertThrows(InvalidConnectionInfoException.class, () -> driver.heal("/elsewhere", true));
    }

    @Test
    void theRegistryPrefersTheFirstDriverOfAType() throws Exception {
        FakeVolumeDriver first = new FakeVolumeDriver("quobyte");
        FakeVolumeDrivers drivers = FakeVolumeDrivers.of(first, new FakeVolumeDriver("quobyte"), new FakeVolumeDriver("nfs"));
        assertSame(first, drivers.driver("quobyte"));
        assertEquals(Set.of("nfs", "quobyte"), drivers.types());
        assertEquals(List.of("nfs", "quobyte"), assertThrows(UnknownDriverException.class, () -> drivers.driver("iscsi")).available());
    }

    @Test
    void ownerOfAnswersForItsOwnMountsAndRefusesWhatADriverMustRefuse(@TempDir Path tmp) throws Exception {
        Path base = Files.createDirectory(tmp.resolve("base"));
        FakeVolumeDriver driver = FakeVolumeDriver.onBase("fake", base);
        ConnectionInfo info = info("volume-1", "raw");
        Path dir = Path.of(FakeVolumeDriver.directory(base, "h/v"));
        Files.createDirectory(dir);
        driver.connect(info, Attachment.of("volume-1", "vm1"));
        assertEquals(dir + "/volume-1", driver.describeDisk(info).sourcePath());
        assertEquals(new VolumeLocation(dir.toString(), "volume-2"), driver.ownerOf(dir.resolve("volume-2")).orElseThrow());

        assertTrue(driver.ownerOf(tmp.resolve("elsewhere/x/volume-1")).isEmpty(), "not below the base");
        assertTrue(driver.ownerOf(Path.of(base + "x/" + dir.getFileName() + "/volume-1")).isEmpty(), "a prefix is not a parent");
        assertThrows(UnsafePathException.class, () -> driver.ownerOf(dir.resolve("sub/volume-1")), "too deep");
        assertThrows(UnsafePathException.class, () -> driver.ownerOf(dir), "too shallow");
        assertThrows(MountUnhealthyException.class, () -> driver.ownerOf(base.resolve("other/volume-1")), "not mounted");
        Path nfs = Files.createDirectory(base.resolve("nfs"));
        driver.mounted(nfs, "nfs4");
        assertThrows(UnsafePathException.class, () -> driver.ownerOf(nfs.resolve("volume-1")), "not its fstype");
        Path link = Files.createSymbolicLink(base.resolve("link"), Files.createDirectory(tmp.resolve("outside")));
        driver.mounted(link, FakeVolumeDriver.FSTYPE);
        assertThrows(UnsafePathException.class, () -> driver.ownerOf(link.resolve("volume-1")), "a symlinked directory");
        Files.createSymbolicLink(dir.resolve("volume-9"), tmp.resolve("outside"));
        assertThrows(UnsafePathException.class, () -> driver.ownerOf(dir.resolve("volume-9")), "a symlinked file");
    }

    @Test
    void adoptAndReleaseChangeTheRecordsLikeConnectAndDisconnect() throws Exception {
        FakeVolumeDriver driver = new FakeVolumeDriver("fake");
        Path found = FakeVolumeDriver.DEFAULT_BASE.resolve("found");
        driver.mounted(found, FakeVolumeDriver.FSTYPE);
        VolumeLocation where = driver.ownerOf(found.resolve("volume-1")).orElseThrow();
        Attachment guest = Attachment.of("volume-1", "0b7c5a64-31d2-4c0e-9f57-2d4b3f1b9e10");
        assertTrue(driver.adopt(where, guest));
        assertFalse(driver.adopt(where, guest), "idempotent");
        assertEquals(found.toString(), driver.mounts().get(0).mountDirectory());
        assertThrows(InvalidConnectionInfoException.class, () -> driver.adopt(where, Attachment.of("volume-2", "vm1")));
        assertThrows(UnsafePathException.class, () -> driver.adopt(new VolumeLocation("/elsewhere/found", "volume-1"), guest));
        assertEquals(DisconnectOutcome.UNMOUNTED, driver.release(where, guest));
        assertEquals(DisconnectOutcome.NOT_ATTACHED, driver.release(where, guest));
        assertEquals(List.of(), driver.mounts());
        assertThrows(MountUnhealthyException.class, () -> driver.ownerOf(found.resolve("volume-1")), "unmounted with its last attachment");
        assertEquals(List.of("adopt " + guest + " " + found, "adopt " + guest + " " + found, "adopt volume-2@vm1 " + found,
                "adopt " + guest + " /elsewhere/found", "release " + guest + " " + found, "release " + guest + " " + found),
                driver.adoptsAndReleases());

        FakeVolumeDriver old = new FakeVolumeDriver("old").withoutReconciliation();
        assertEquals("NOT_SUPPORTED", assertThrows(OperationNotSupportedException.class, () -> old.adopt(where, guest)).code());
        assertThrows(OperationNotSupportedException.class, () -> old.release(where, guest));
    }

    /** A qcow2 version 3 header naming a backing file, with a backing format extension if one is given. */
    static byte[] qcow2(long virtualSize, String backing, String backingFormat) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4096);
        b.putInt(0, 0x514649fb).putInt(4, 3).putLong(24, virtualSize).putInt(100, 104);
        int pos = 104;
        if (backingFormat != null) {
            byte[] f = backingFormat.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            b.putInt(pos, 0xe2792aca).putInt(pos + 4, f.length).put(pos + 8, f);
            pos += 8 + ((f.length + 7) & ~7);
        }
        b.putInt(pos, 0).putInt(pos + 4, 0);
        if (backing != null) {
            byte[] name = backing.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            b.putLong(8, 1024).putInt(16, name.length).put(1024, name);
        }
        return b.array();
    }

    @Test
    void inspectImageReadsTheHeaderOfAFileOfAMountedExport(@TempDir Path tmp) throws Exception {
        Path volumes = Files.createDirectories(tmp.resolve("volumes"));
        FakeVolumeDriver driver = new FakeVolumeDriver("fake", volumes, "qcow2");
        ConnectionInfo info = info("volume-1", "qcow2");
        assertThrows(MountUnhealthyException.class, () -> driver.inspectImage(info, "volume-1"), "nothing mounted yet");
        driver.connect(info, Attachment.of("volume-1", "vm1"));
        Files.write(volumes.resolve("volume-1"), new byte[4096]);
        Files.write(volumes.resolve("volume-1.snap"), qcow2(1L << 30, "volume-1", "raw"));
        Files.write(volumes.resolve("volume-1.snap2"), qcow2(1L << 30, volumes.resolve("volume-1.snap").toString(), null));
        Files.write(volumes.resolve("volume-1.bad"), qcow2(1L << 30, "/etc/passwd", null));
        Files.createSymbolicLink(volumes.resolve("volume-1.link"), volumes.resolve("volume-1"));

        VolumeLocation raw = new VolumeLocation(volumes.toString(), "volume-1");
        assertEquals(new VolumeImage(raw, "raw", 4096, 4096, Optional.empty(), Optional.empty()), driver.inspectImage(info, "volume-1"));
        VolumeImage snap = driver.inspectImage(info, "volume-1.snap");
        assertEquals(List.of("qcow2", 1L << 30, Optional.of("volume-1"), Optional.of("raw")),
                List.of(snap.format(), snap.virtualSize(), snap.backingFile(), snap.backingFormat()));
        VolumeImage snap2 = driver.inspectImage(info, "volume-1.snap2");
        assertEquals(Optional.of("volume-1.snap"), snap2.backingFile(), "an absolute path in the directory is given as its name");
        assertTrue(snap2.backingFormatUndeclared());
        assertThrows(UnsafeImageException.class, () -> driver.inspectImage(info, "volume-1.bad"));
        assertThrows(UnsafePathException.class, () -> driver.inspectImage(info, "volume-1.link"));
        assertEquals("file", assertThrows(InvalidConnectionInfoException.class, () -> driver.inspectImage(info, "volume-1.none")).field());
        for (String hostile : new String[] { "/", "..", "../volume-1", "a/b", "" }) {
            assertEquals("file", assertThrows(InvalidConnectionInfoException.class, () -> driver.inspectImage(info, hostile)).field());
        }
        driver.state("h/v", MountState.STALE);
        assertThrows(MountUnhealthyException.class, () -> driver.inspectImage(info, "volume-1"));
        assertTrue(driver.calls.contains("inspectImage volume-1.snap"));
    }

    @Test
    void followMovesTheRecordedAttachmentToAnotherFileOfItsDirectory() throws Exception {
        FakeVolumeDriver driver = new FakeVolumeDriver("fake");
        ConnectionInfo info = info("volume-1", "qcow2");
        Attachment vm1 = Attachment.of("volume-1", "vm1");
        driver.connect(info, vm1);
        VolumeLocation from = new VolumeLocation(FakeVolumeDriver.directory("h/v"), "volume-1");
        Attachment moved = Attachment.of("volume-1.snap", "vm1");
        assertTrue(driver.follow(from, "volume-1.snap", vm1));
        assertFalse(driver.follow(from, "volume-1.snap", vm1), "idempotent");
        assertFalse(driver.isAttached(vm1));
        assertTrue(driver.isAttached(moved));
        assertEquals("toVolume", assertThrows(InvalidConnectionInfoException.class, () -> driver.follow(from, "../x", vm1)).field());
        assertEquals("toVolume", assertThrows(InvalidConnectionInfoException.class, () -> driver.follow(from, "volume-1", vm1)).field());
        assertEquals("attachment.volume", assertThrows(InvalidConnectionInfoException.class,
                () -> driver.follow(from, "volume-1.snap", moved)).field());
        assertEquals(DisconnectOutcome.UNMOUNTED, driver.disconnect(info("volume-1.snap", "qcow2"), moved), "the last one, by its new name");

        FakeVolumeDriver old = new FakeVolumeDriver("old").withoutReconciliation();
        assertThrows(OperationNotSupportedException.class, () -> old.follow(from, "volume-1.snap", vm1));
        assertThrows(OperationNotSupportedException.class, () -> old.inspectImage(info, "volume-1"));
    }
}
