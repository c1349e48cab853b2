package org.volumedriver.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The 1.2 additions: locations and guests are validated values, and a 1.1 driver keeps working. */
class ReconciliationContractTest {

    static final String UUID = "0b7c5a64-31d2-4c0e-9f57-2d4b3f1b9e10";

    @Test
    void aLocationIsAnAbsoluteNormalizedDirectoryAndOneFileName() {
        VolumeLocation where = new VolumeLocation("/var/lib/volumedriver/quobyte/mnt/c94ed34ada0acf45c1213beb1fc52ce6", "volume-1");
        assertEquals(Path.of("/var/lib/volumedriver/quobyte/mnt/c94ed34ada0acf45c1213beb1fc52ce6/volume-1"), where.path());
        assertEquals(where.path().getParent(), where.directory());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "relative/dir", "/a/../b", "/a/./b", "/a//b", "/a/b/", "/a/\nb", "/a/\u0000b"})
    void aHostileDirectoryIsRefused(String dir) {
        assertThrows(IllegalArgumentException.class, () -> new VolumeLocation(dir, "volume-1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", "a/b", "../x", "-x", ".hidden", "a..b", "a\nb"})
    void aHostileVolumeIsRefused(String volume) {
        assertThrows(IllegalArgumentException.class, () -> new VolumeLocation("/m/x", volume));
    }

    @Test
    void aGuestIsMatchedByUuidOrName() {
        GuestRef guest = new GuestRef(UUID, "vm1");
        assertTrue(guest.matches(UUID));
        assertTrue(guest.matches("vm1"));
        assertFalse(guest.matches("vm2"));
        assertEquals("vm1 (" + UUID + ")", guest.toString());
        for (String[] bad : new String[][] {{UUID.toUpperCase(), "vm1"}, {"not-a-uuid", "vm1"}, {UUID, ""}, {UUID, "a\nb"},
                {UUID, "x".repeat(257)}, {null, "vm1"}, {UUID, null}}) {
            assertThrows(IllegalArgumentException.class, () -> new GuestRef(bad[0], bad[1]), String.join("|", String.valueOf(bad[0]),
                    String.valueOf(bad[1])));
        }
    }

    @Test
    void aMountInUseNamesItsGuestsBoundedOrSaysTheyAreUnknown() {
        List<GuestRef> many = IntStream.range(0, 7).mapToObj(i -> new GuestRef(UUID.substring(0, 35) + i, "vm" + i)).toList();
        MountInUseByGuestException e = new MountInUseByGuestException("/m/x", many);
        assertEquals("MOUNT_IN_USE_BY_GUEST", e.code());
        assertTrue(e.getMessage().startsWith("mount /m/x stays: in use by guest vm0 (" + UUID.substring(0, 35) + "0), "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" and 2 more"), e.getMessage());
        assertEquals(7, e.guests().size());
        assertEquals("mount /m/x stays: the hypervisor could not be asked which guests use it",
                new MountInUseByGuestException("/m/x", List.of()).getMessage());
    }

    /** A driver written against 1.1: only the methods it had. */
    static final class OldDriver implements VolumeDriver {
        @Override
        public String type() {
            return "old";
        }

        @Override
        public void validate(ConnectionInfo info) {
        }

        @Override
        public DiskSpec connect(ConnectionInfo info, Attachment attachment) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DiskSpec describeDisk(ConnectionInfo info) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<MountStatus> mounts() {
            return List.of();
        }

        @Override
        public MountStatus heal(String mountDirectory, boolean force) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, Long> counters() {
            return Map.of();
        }
    }

    @Test
    void aDriverWrittenAgainstTheOldContractOwnsNothingAndChangesNothing() throws Exception {
        VolumeDriver old = new OldDriver();
        VolumeLocation where = new VolumeLocation("/m/x", "volume-1");
        Attachment attachment = new Attachment("volume-1", UUID);
        assertTrue(old.ownerOf(Path.of("/m/x/volume-1")).isEmpty());
        OperationNotSupportedException adopt = assertThrows(OperationNotSupportedException.class, () -> old.adopt(where, attachment));
        assertEquals(List.of("NOT_SUPPORTED", "old", "adopt", "volume driver 'old' does not support adopt"),
                List.of(adopt.code(), adopt.driverType(), adopt.operation(), adopt.getMessage()));
        assertEquals("release", assertThrows(OperationNotSupportedException.class, () -> old.release(where, attachment)).operation());
    }
}
