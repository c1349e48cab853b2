package org.volumedriver.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.UnsupportedFormatException;

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
}
