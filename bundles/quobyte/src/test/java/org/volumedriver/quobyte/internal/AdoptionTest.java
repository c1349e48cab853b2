package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME2;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeLocation;

/**
 * What a guest's disk source is to this driver, and taking on what the hypervisor shows (F5):
 * {@code ownerOf} against hostile sources, {@code adopt} of a mount another agent left (as Nova
 * leaves its mounts) with an empty journal, and {@code release} by location.
 */
class AdoptionTest extends FakeHostFixture {

    /** A source below the base that is refused, and why. */
    record Refusal(Path source, Class<? extends VolumeDriverException> type, String reason) {
    }

    static final String GUEST = "3f1e9d2c-5b4a-4c3d-8e2f-1a2b3c4d5e6f";

    /** A mount as Nova leaves it: the md5 directory, mounted by a client this driver never ran, the volume in it. */
    void mountedByAnotherAgent(Path mountDir, String export) throws Exception {
        Files.createDirectories(mountDir);
        Files.setPosixFilePermissions(mountDir, PosixFilePermissions.fromString("rwxr-x---"));
        table.mountQuobyte(mountDir.toString(), export);
        Files.write(mountDir.resolve(VOLUME1), new byte[0]);
        Files.write(mountDir.resolve(VOLUME2), new byte[0]);
    }

    @Test
    void aVolumeFileOnAQuobyteMountIsOwnedAndWhatIsNotBelowTheBaseIsNotAnswered() throws Exception {
        QuobyteEngine e = engine();
        mountedByAnotherAgent(dir, EXPORT);
        assertEquals(Optional.of(new VolumeLocation(dir.toString(), VOLUME1)), e.ownerOf(dir.resolve(VOLUME1)));
        assertEquals(Optional.of(new VolumeLocation(dir.toString(), "volume-" + GUEST)), e.ownerOf(dir.resolve("volume-" + GUEST)),
                "a volume file that is not there (a defined guest's) is still the driver's");
        for (Path notMine : List.of(Path.of("/etc/passwd"), Path.of(base + "x", MountLayout.hash(EXPORT), VOLUME1), base, base.getParent())) {
            assertEquals(Optional.empty(), e.ownerOf(notMine), notMine.toString());
        }
        assertEquals(0, mounter.calls.size(), "nothing runs");
        assertEquals(0, e.attachmentCount(), "nothing is recorded");
    }

    @Test
    void hostileSourcesBelowTheBaseAreRefusedWithTheirReason() throws Exception {
        QuobyteEngine e = engine();
        mountedByAnotherAgent(dir, EXPORT);
        // a directory of the base that is a symlink to a real mount
        Path other = base.resolve(MountLayout.hash("10.0.0.9/other"));
        mountedByAnotherAgent(other, "10.0.0.9/other");
        Path linked = base.resolve(MountLayout.hash("10.0.0.9/linked"));
        Files.createSymbolicLink(linked, other);
        // another file system at a mount directory
        Path nfs = base.resolve(MountLayout.hash("10.0.0.9/nfs"));
        Files.createDirectories(nfs);
        table.mount(nfs.toString(), "nfs4", "server:/export");
        // nothing mounted at a mount directory
        Path unmounted = base.resolve(MountLayout.hash("10.0.0.9/gone"));
        Files.createDirectories(unmounted);
        // inside the mount: a symlink, a directory, a file with something mounted over it
        Files.createSymbolicLink(dir.resolve("volume-" + GUEST), Path.of("/etc/shadow"));
        Files.createDirectories(dir.resolve("volume-" + Fakes.UUID1 + "." + GUEST));
        table.mount(dir.resolve(VOLUME2).toString(), "ext4", "/dev/sda1");
        List<Refusal> cases = List.of(
            new Refusal(dir, UnsafePathException.class, "is not <mount base>/<mount directory>/<volume file>"),
            new Refusal(dir.resolve("sub").resolve(VOLUME1), UnsafePathException.class, "is not <mount base>/<mount directory>/<volume file>"),
            new Refusal(base.resolve(QuobyteEngine.STATE_DIR).resolve("attachments.journal"), UnsafePathException.class,
                    "is not in a mount directory"),
            new Refusal(base.resolve("0123456789abcdef").resolve(VOLUME1), UnsafePathException.class, "is not in a mount directory"),
            new Refusal(dir.resolve("passwd"), UnsafePathException.class, "not a volume name of this driver"),
            new Refusal(dir.resolve("-" + VOLUME1), UnsafePathException.class, "not a volume name of this driver"),
            new Refusal(linked.resolve(VOLUME1), UnsafePathException.class, "is a symbolic link, not a mount directory"),
            new Refusal(nfs.resolve(VOLUME1), UnsafePathException.class, "another file system type is mounted there"),
            new Refusal(unmounted.resolve(VOLUME1), MountUnhealthyException.class, "nothing is mounted there"),
            new Refusal(dir.resolve("volume-" + GUEST), UnsafePathException.class, "is a symbolic link"),
            new Refusal(dir.resolve("volume-" + Fakes.UUID1 + "." + GUEST), UnsafePathException.class, "is not a regular file"),
            new Refusal(dir.resolve(VOLUME2), UnsafePathException.class, "something is mounted over the volume file"));
        for (Refusal c : cases) {
            VolumeDriverException ex = assertThrows(c.type(), () -> e.ownerOf(c.source()), c.source().toString());
            assertTrue(ex.getMessage().contains(c.reason()), c.source() + ": " + ex.getMessage());
            VolumeLocation where;
            Attachment attachment;
            try {
                where = new VolumeLocation(c.source().getParent().toString(), c.source().getFileName().toString());
                attachment = new Attachment(where.volume(), GUEST);
            } catch (IllegalArgumentException notEvenALocation) {
                continue;
            }
            assertThrows(c.type(), () -> e.adopt(where, attachment), "adopt checks again: " + c.source());
        }
        assertEquals(0, e.attachmentCount(), "nothing adopted");
        assertEquals(0, mounter.calls.size(), "nothing ran");
    }

    @Test
    void aStaleMountIsNotOwnedWithoutWaitingAndALegacyMountOnlyWhenEnabled() throws Exception {
        QuobyteEngine e = engine();
        mountedByAnotherAgent(dir, EXPORT);
        probe.results.put(dir, ProbeResult.timeout(100));
        assertThrows(MountUnhealthyException.class, () -> e.ownerOf(dir.resolve(VOLUME1)));
        probe.results.clear();
        table.unmount(dir.toString());
        table.mount(dir.toString(), "fuse", "quobyte@" + EXPORT);
        assertThrows(UnsafePathException.class, () -> e.ownerOf(dir.resolve(VOLUME1)));
        e.close();
        assertTrue(engine(settings().legacyFuse(true)).ownerOf(dir.resolve(VOLUME1)).isPresent());
    }

    @Test
    void aLookAtAFileOnAHungMountEndsAtTheTimeoutAndTheNextIsRefusedAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BoundedLstat lstat = new BoundedLstat(p -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return BoundedLstat.Kind.REGULAR;
        });
        long start = System.nanoTime();
        assertThrows(MountUnhealthyException.class, () -> lstat.kind(dir.resolve(VOLUME1), dir, Duration.ofMillis(200)));
        long first = (System.nanoTime() - start) / 1_000_000;
        assertTrue(first >= 190 && first < 2_000, first + " ms");
        start = System.nanoTime();
        MountUnhealthyException again = assertThrows(MountUnhealthyException.class,
                () -> lstat.kind(dir.resolve(VOLUME2), dir, Duration.ofMillis(200)));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 100, "refused at once");
        assertTrue(again.getMessage().contains("has not returned"), again.getMessage());
        release.countDown();
        Thread.sleep(50);
        assertEquals(BoundedLstat.Kind.REGULAR, lstat.kind(dir.resolve(VOLUME1), dir, Duration.ofMillis(200)), "the client answers again");
    }

    @Test
    void aMountLeftByAnotherAgentIsAdoptedWithTheGuestsAttachmentJournaledAndCountedLikeAConnect() throws Exception {
        QuobyteEngine e = engine();
        mountedByAnotherAgent(dir, EXPORT);
        Attachment guest = new Attachment(VOLUME1, GUEST);
        VolumeLocation where = e.ownerOf(dir.resolve(VOLUME1)).orElseThrow();
        assertTrue(e.adopt(where, guest));
        assertFalse(e.adopt(where, guest), "idempotent");
        assertEquals(0, mounter.calls.size(), "adopted as found: no command");
        MountStatus m = e.mounts().get(0);
        assertEquals(MountState.HEALTHY, m.state());
        assertEquals(EXPORT, m.export());
        assertEquals(List.of(guest), List.copyOf(m.attachments()));
        assertEquals(1, e.mountedCount());
        assertEquals(1L, e.counterSnapshot().get("adoptions"));
        assertEquals(1L, e.counterSnapshot().get("adoptions.mounts"));
        // a connect for another instance uses the mount as it is; its disconnect leaves the guest's
        e.connect(info(EXPORT, VOLUME2), new Attachment(VOLUME2, "vm2"));
        assertEquals(0, mounter.calls.size());
        assertEquals(DisconnectOutcome.STILL_IN_USE, e.disconnect(info(EXPORT, VOLUME2), new Attachment(VOLUME2, "vm2")));
        e.close();
        // journaled like a connect: a restart recovers it
        QuobyteEngine again = engine();
        assertTrue(again.isAttached(guest));
        assertEquals(DisconnectOutcome.UNMOUNTED, again.disconnect(info(EXPORT, VOLUME1), guest));
        assertFalse(table.isMounted(dir.toString()));
    }

    @Test
    void aMountIsAdoptedOnlyIfHealthyAndItsSourceNamesTheExportOfItsDirectory() throws Exception {
        QuobyteEngine e = engine();
        VolumeLocation where = new VolumeLocation(dir.toString(), VOLUME1);
        Attachment guest = new Attachment(VOLUME1, GUEST);
        // a source whose md5 is another directory's
        mountedByAnotherAgent(dir, "10.0.0.9/elsewhere");
        UnsafePathException wrong = assertThrows(UnsafePathException.class, () -> e.adopt(where, guest));
        assertTrue(wrong.getMessage().contains("md5 is not the directory's name"), wrong.getMessage());
        table.unmount(dir.toString());
        table.mount(dir.toString(), "fuse.quobyte", "quobyte@bad host/x");
        assertThrows(UnsafePathException.class, () -> e.adopt(where, guest));
        table.unmount(dir.toString());
        table.mountQuobyte(dir.toString(), EXPORT);
        // healthy when ownerOf looked, stale when the adoption probes under the lock
        java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();
        e.close();
        QuobyteEngine stale = engineBuilder()
                .probe((root, timeout) -> probes.incrementAndGet() == 1 ? ProbeResult.ok() : ProbeResult.ofErrno(Errno.ENOTCONN)).start();
        assertThrows(MountUnhealthyException.class, () -> stale.adopt(where, guest));
        assertEquals(0, stale.attachmentCount(), "nothing recorded");
        assertEquals(0, stale.mountedCount(), "nothing counted");
        assertEquals(List.of(""), stale.mounts().stream().map(MountStatus::export).toList(), "listed as a mount without a record");
        // the attachment must name the location's volume
        assertThrows(InvalidConnectionInfoException.class, () -> stale.adopt(where, new Attachment(VOLUME2, GUEST)));
        assertEquals(0, mounter.calls.size());
    }

    @Test
    void aDeletedJournalIsRestoredByAdoptingWhatTheGuestsUse() throws Exception {
        QuobyteEngine first = engine();
        mounter.afterMount = () -> {
            writeEmpty(dir.resolve(VOLUME1));
            writeEmpty(dir.resolve(VOLUME2));
        };
        first.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, GUEST));
        first.connect(info(EXPORT, VOLUME2), new Attachment(VOLUME2, GUEST));
        first.close();
        Files.delete(base.resolve(QuobyteEngine.STATE_DIR).resolve("attachments.journal"));
        Files.deleteIfExists(base.resolve(QuobyteEngine.STATE_DIR).resolve("attachments.journal.log"));
        QuobyteEngine second = engine();
        assertEquals(0, second.attachmentCount(), "the journal is gone");
        for (String volume : List.of(VOLUME1, VOLUME2)) {
            assertTrue(second.adopt(second.ownerOf(dir.resolve(volume)).orElseThrow(), new Attachment(volume, GUEST)));
        }
        second.close();
        QuobyteEngine third = engine();
        assertEquals(2, third.attachmentCount(), "restored and journaled again");
        assertEquals(1, mounter.named("mount.quobyte").size(), "one mount all along");
    }

    @Test
    void aReleaseIsADisconnectByLocation() throws Exception {
        QuobyteEngine e = engine();
        mountedByAnotherAgent(dir, EXPORT);
        VolumeLocation one = new VolumeLocation(dir.toString(), VOLUME1);
        VolumeLocation two = new VolumeLocation(dir.toString(), VOLUME2);
        e.adopt(one, new Attachment(VOLUME1, GUEST));
        e.adopt(two, new Attachment(VOLUME2, GUEST));
        assertEquals(DisconnectOutcome.NOT_ATTACHED, e.release(one, new Attachment(VOLUME1, "vm-unknown")));
        assertEquals(DisconnectOutcome.STILL_IN_USE, e.release(one, new Attachment(VOLUME1, GUEST)));
        assertThrows(UnsafePathException.class, () -> e.release(new VolumeLocation("/etc", VOLUME2), new Attachment(VOLUME2, GUEST)));
        assertThrows(UnsafePathException.class, () -> e.release(new VolumeLocation(base.resolve("x").toString(), VOLUME2),
                new Attachment(VOLUME2, GUEST)));
        assertThrows(InvalidConnectionInfoException.class, () -> e.release(two, new Attachment(VOLUME1, GUEST)));
        assertTrue(table.isMounted(dir.toString()));
        assertEquals(DisconnectOutcome.UNMOUNTED, e.release(two, new Attachment(VOLUME2, GUEST)));
        assertFalse(table.isMounted(dir.toString()));
        assertEquals(6L, e.counterSnapshot().get("releases"));
        assertEquals(2L, e.counterSnapshot().get("failures.UNSAFE_PATH"));
    }
}
