package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The attacher after an assisted snapshot switched a guest to a newer file of the volume: detach
 * finds the disk by its serial and disconnects the attachment of the file the disk uses (same
 * mount directory only); attach refuses a second disk of the volume. And every operation on a
 * domain waits for the one holding the domain's lock, attach and snapshot operations alike.
 */
class SerialLookupTestDriverTest extends AttachedVolumesFixture {

    static final String S1 = BASE + ".s1";

    private VolumeAttacherImpl attacher(DirectoryVolumeDriver with) {
        VolumeDriversImpl registry = new VolumeDriversImpl();
        registry.addDriver(with, Map.of("service.id", 3L, "volume.driver.type", with.type()));
        return VolumeAttacherImpl.withSettings(registry, settings(), locks, telemetry);
    }

    /** A defined domain whose disk uses s1 (over the raw base), as an assisted snapshot left it. */
    private String switchedGuest(String directory) throws Exception {
        raw(BASE, 1 << 20);
        qcow2(S1, GIB, BASE, "raw");
        return define(false, disk("vdb", UUID, directory + "/" + S1, "qcow2", directory + "/" + BASE, "raw"));
    }

    @Test
    void detachFindsTheSwitchedDiskBySerialAndDisconnectsTheFollowedAttachment() throws Exception {
        String domain = switchedGuest(mnt.toString());
        Attachment followed = new Attachment(S1, "instance-1");
        driver.connectedEarlier(followed);
        VolumeAttacherImpl attacher = attacher(driver);
        try {
            // the caller still names the volume's first file, as its connection info always did
            DetachResult result = attacher.detach(domain, info(BASE), new Attachment(BASE, "instance-1"), AttachMode.CONFIG);
            assertEquals(DetachOutcome.DETACHED, result.outcome());
            assertEquals(Optional.of(DisconnectOutcome.UNMOUNTED), result.disconnect());
            assertEquals(List.of("disconnect " + followed), driver.calls);
            assertEquals(Set.of(), driver.attachments());
            assertFalse(definition(domain).contains(S1), definition(domain));
        } finally {
            attacher.deactivate();
        }
    }

    @Test
    void withoutSerialsTheSourceAloneCounts() throws Exception {
        String domain = switchedGuest(mnt.toString());
        DirectoryVolumeDriver noSerials = new DirectoryVolumeDriver(mnt, false);
        noSerials.connectedEarlier(new Attachment(BASE, "instance-1"));
        VolumeAttacherImpl attacher = attacher(noSerials);
        String before = definition(domain);
        try {
            DetachResult result = attacher.detach(domain, info(BASE), new Attachment(BASE, "instance-1"), AttachMode.CONFIG);
            assertEquals(DetachOutcome.NOT_ATTACHED, result.outcome(), "as before: the domain has no disk with that source");
            assertEquals(before, definition(domain));
        } finally {
            attacher.deactivate();
        }
    }

    @Test
    void aDiskWithTheSerialInAnotherDirectoryIsRefused() throws Exception {
        String domain = switchedGuest("/var/lib/elsewhere");
        driver.connectedEarlier(new Attachment(BASE, "instance-1"));
        VolumeAttacherImpl attacher = attacher(driver);
        String before = definition(domain);
        try {
            VolumeDriverException e = assertThrows(VolumeDriverException.class,
                    () -> attacher.detach(domain, info(BASE), new Attachment(BASE, "instance-1"), AttachMode.CONFIG));
            assertEquals("CHAIN_MISMATCH", e.code(), e.getMessage());
            assertEquals(before, definition(domain));
            assertEquals(List.of(), driver.calls, "nothing disconnected");
        } finally {
            attacher.deactivate();
        }
    }

    @Test
    void attachRefusesASecondDiskOfTheSameVolume() throws Exception {
        String domain = switchedGuest(mnt.toString());
        VolumeAttacherImpl attacher = attacher(driver);
        try {
            InvalidDiskSpecException e = assertThrows(InvalidDiskSpecException.class,
                    () -> attacher.attach(domain, info(BASE), new Attachment(BASE, "instance-2"), "vdc", "virtio", AttachMode.CONFIG));
            assertEquals("disk.serial", e.field());
            assertTrue(e.getMessage().contains("as vdb"), e.getMessage());
            assertEquals(List.of(), driver.calls, "the volume was never touched");
        } finally {
            attacher.deactivate();
        }
    }

    @Test
    void oneOperationPerDomainAcrossAttachAndTheSnapshotOperations() throws Exception {
        String domain = switchedGuest(mnt.toString());
        VolumeAttacherImpl attacher = attacher(driver);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            Future<?> holder = pool.submit(() -> locks.with(domain, () -> {
                held.countDown();
                release.await();
                return null;
            }));
            assertTrue(held.await(5, TimeUnit.SECONDS));
            Future<Object> attach = pool.submit(() -> attempt(
                    () -> attacher.attach(domain, info(BASE), new Attachment(BASE, "i"), "vdc", "virtio", AttachMode.CONFIG)));
            Future<Object> extend = pool.submit(() -> attempt(() -> volumes.extend(domain, info(BASE), GIB)));
            assertThrows(TimeoutException.class, () -> attach.get(300, TimeUnit.MILLISECONDS), "attach waits for the domain");
            assertThrows(TimeoutException.class, () -> extend.get(1, TimeUnit.MILLISECONDS), "extend waits for the domain");
            release.countDown();
            holder.get(5, TimeUnit.SECONDS);
            assertEquals("INVALID_DISK_SPEC", attach.get(5, TimeUnit.SECONDS));
            assertEquals("HYPERVISOR_ERROR", extend.get(5, TimeUnit.SECONDS), "stopped domain: libvirt error 55");
        } finally {
            release.countDown();
            pool.shutdownNow();
            attacher.deactivate();
        }
    }

    /** @return the failure's code, or "ok" */
    private static Object attempt(java.util.concurrent.Callable<?> call) {
        try {
            call.call();
            return "ok";
        } catch (VolumeDriverException e) {
            return e.code();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
