package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME2;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.GuestUsage;
import org.volumedriver.spi.MountInUseByGuestException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeLocation;

/**
 * The unmount guard (F6): every unmount nobody forced asks the hypervisor which guests use the
 * mount, and keeps the mount while one does or while nobody can say. Each unmount path is tried
 * against each answer; "no service" with a guest that the hypervisor would report is the fault
 * the guard prevents: the mount is pulled from under the guest.
 */
class UnmountGuardTest extends FakeHostFixture {

    static final String GUEST_UUID = "3f1e9d2c-5b4a-4c3d-8e2f-1a2b3c4d5e6f";
    static final String GUEST_NAME = "instance-0000002a";

    final Fakes.Guests guests = new Fakes.Guests();
    /** What the engine sees of the service: null while none is registered. */
    final AtomicReference<GuestUsage> service = new AtomicReference<>();
    QuobyteEngine engine;

    /** What the hypervisor answers at the moment of the unmount. */
    enum Answer {
        /** A guest has a disk on the mount. */
        GUEST_USES_IT(true),
        /** libvirtd does not answer. */
        HYPERVISOR_DOWN(true),
        /** No guest uses it. */
        NOBODY(false),
        /** No guest-usage service (no libvirt bundle): the guest is there, but nobody asks. */
        NO_SERVICE(false);

        final boolean keeps;

        Answer(boolean keeps) {
            this.keeps = keeps;
        }
    }

    @BeforeEach
    void setUp() throws VolumeDriverException {
        engine = engine();
        engine.guestUsage(service::get);
        filesOnMount(0, VOLUME1, VOLUME2);
    }

    void answer(Answer a) {
        guests.using.clear();
        guests.down = a == Answer.HYPERVISOR_DOWN;
        if (a == Answer.GUEST_USES_IT || a == Answer.NO_SERVICE) {
            guests.use(dir, GUEST_UUID, GUEST_NAME);
        }
        service.set(a == Answer.NO_SERVICE ? null : guests);
    }

    /** A mount of ours without attachments: its last disconnect's unmount could not run. */
    void idleMount() throws Exception {
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        mounter.umountFailure = new CommandFailedException("umount", -1, null);
        assertThrows(CommandFailedException.class, () -> engine.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        mounter.umountFailure = null;
        assertTrue(table.isMounted(dir.toString()));
    }

    MountStatus status() {
        return engine.mounts().stream().filter(m -> m.mountDirectory().equals(dir.toString())).findFirst().orElseThrow();
    }

    void assertKeptOrUnmounted(Answer a, int umountsBefore) {
        if (a.keeps) {
            assertTrue(table.isMounted(dir.toString()), "kept: " + a);
            assertEquals(umountsBefore, mounter.named("umount").size(), "no umount ran: " + a);
            String detail = status().detail();
            assertTrue(detail.contains(a == Answer.GUEST_USES_IT ? "kept: in use by guest " + GUEST_NAME + " (" + GUEST_UUID + ")"
                    : "kept: the guests using it could not be asked (find guests using a mount failed (libvirt error 38): Failed to connect socket"),
                    detail);
        } else {
            assertFalse(table.isMounted(dir.toString()), "unmounted: " + a);
        }
    }

    @ParameterizedTest
    @EnumSource(Answer.class)
    void theLastDisconnect(Answer a) throws Exception {
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        answer(a);
        int before = mounter.named("umount").size();
        DisconnectOutcome outcome = engine.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        assertEquals(a.keeps ? DisconnectOutcome.KEPT_IN_USE_BY_GUEST : DisconnectOutcome.UNMOUNTED, outcome);
        assertKeptOrUnmounted(a, before);
        assertFalse(engine.isAttached(new Attachment(VOLUME1, "vm1")), "the attachment is gone in every outcome");
    }

    @ParameterizedTest
    @EnumSource(Answer.class)
    void theLastRelease(Answer a) throws Exception {
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        answer(a);
        int before = mounter.named("umount").size();
        DisconnectOutcome outcome = engine.release(new VolumeLocation(dir.toString(), VOLUME1), new Attachment(VOLUME1, "vm1"));
        assertEquals(a.keeps ? DisconnectOutcome.KEPT_IN_USE_BY_GUEST : DisconnectOutcome.UNMOUNTED, outcome);
        assertKeptOrUnmounted(a, before);
        assertEquals(0, engine.attachmentCount());
    }

    @ParameterizedTest
    @EnumSource(Answer.class)
    void theWatchdogsUnmountOfAnIdleMount(Answer a) throws Exception {
        idleMount();
        answer(a);
        int before = mounter.named("umount").size();
        engine.watchdogScan();
        assertKeptOrUnmounted(a, before);
        assertEquals(a.keeps ? 1L : 0L, engine.counterSnapshot().getOrDefault("watchdog.kept.by.guest", 0L));
    }

    @ParameterizedTest
    @EnumSource(Answer.class)
    void theWatchdogsHealOfAnIdleStaleMount(Answer a) throws Exception {
        idleMount();
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        answer(a);
        int before = mounter.named("umount").size();
        engine.watchdogScan();
        if (a.keeps) {
            assertTrue(table.isMounted(dir.toString()));
            assertEquals(before, mounter.named("umount").size());
            assertEquals(MountState.STALE, status().state());
        } else {
            assertFalse(table.isMounted(dir.toString()));
            assertEquals(1L, engine.counterSnapshot().get("watchdog.heals"));
        }
    }

    @ParameterizedTest
    @EnumSource(Answer.class)
    void aHealWithoutForce(Answer a) throws Exception {
        idleMount();
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        answer(a);
        int before = mounter.named("umount").size();
        if (a.keeps) {
            MountInUseByGuestException e = assertThrows(MountInUseByGuestException.class, () -> engine.heal(dir.toString(), false));
            assertEquals("MOUNT_IN_USE_BY_GUEST", e.code());
            assertEquals(a == Answer.GUEST_USES_IT ? List.of(GUEST_NAME) : List.of(), e.guests().stream().map(g -> g.name()).toList());
            assertEquals(1L, engine.counterSnapshot().get("failures.MOUNT_IN_USE_BY_GUEST"));
        } else {
            assertEquals(MountState.NOT_MOUNTED, engine.heal(dir.toString(), false).state());
        }
        assertKeptOrUnmounted(a, before);
    }

    @ParameterizedTest
    @EnumSource(Answer.class)
    void aHealOnTheWayOfAConnect(Answer a) throws Exception {
        idleMount();
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        answer(a);
        int before = mounter.named("umount").size();
        if (a.keeps) {
            MountInUseByGuestException e = assertThrows(MountInUseByGuestException.class,
                    () -> engine.connect(info(EXPORT, VOLUME2), new Attachment(VOLUME2, "vm2")));
            assertEquals("MOUNT_IN_USE_BY_GUEST", e.code());
            assertKeptOrUnmounted(a, before);
            assertEquals(0, engine.mounts().stream().mapToInt(m -> m.attachments().size()).sum(), "nothing attached");
        } else {
            mounter.afterMount = () -> {
                probe.results.remove(dir);
                writeEmpty(dir.resolve(VOLUME2));
            };
            engine.connect(info(EXPORT, VOLUME2), new Attachment(VOLUME2, "vm2"));
            assertEquals(before + 1, mounter.named("umount").size(), "the stale mount was healed");
            assertEquals(MountState.HEALTHY, status().state());
        }
    }

    @Test
    void aForcedHealDoesNotAsk() throws Exception {
        idleMount();
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        answer(Answer.GUEST_USES_IT);
        assertEquals(MountState.NOT_MOUNTED, engine.heal(dir.toString(), true).state());
        assertFalse(table.isMounted(dir.toString()), "the administrator's force wins");
        assertTrue(guests.asked.isEmpty());
    }

    @Test
    void onlyTheLastDisconnectAsksAndTheWatchdogUnmountsAKeptMountOnceNoGuestUsesIt() throws Exception {
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        engine.connect(info(EXPORT, VOLUME2), new Attachment(VOLUME2, "vm2"));
        answer(Answer.GUEST_USES_IT);
        assertEquals(DisconnectOutcome.STILL_IN_USE, engine.disconnect(info(EXPORT, VOLUME2), new Attachment(VOLUME2, "vm2")));
        assertTrue(guests.asked.isEmpty(), "other attachments remain: libvirt is not asked");
        assertEquals(DisconnectOutcome.KEPT_IN_USE_BY_GUEST, engine.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertEquals(List.of(dir), guests.asked);
        assertEquals(1, engine.mountedCount(), "a kept mount still counts against max.mounts");
        // a repeated disconnect asks again and keeps it again
        assertEquals(DisconnectOutcome.NOT_ATTACHED, engine.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        engine.watchdogScan();
        assertTrue(table.isMounted(dir.toString()), "the watchdog keeps it while the guest runs");
        // a new attachment hides the note; the mount serves it without a command
        int calls = mounter.calls.size();
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm3"));
        assertEquals(calls, mounter.calls.size());
        assertEquals("", status().detail());
        assertEquals(DisconnectOutcome.KEPT_IN_USE_BY_GUEST, engine.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm3")));
        // the guest is gone
        guests.using.clear();
        engine.watchdogScan();
        assertFalse(table.isMounted(dir.toString()), "unmounted by the watchdog once no guest uses it");
        assertFalse(Files.exists(dir));
        assertEquals(0, engine.mountedCount());
        assertTrue(engine.mounts().isEmpty());
    }

    @Test
    void aMountTheDisconnectFindsGoneIsNotKept() throws Exception {
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        answer(Answer.GUEST_USES_IT);
        table.unmount(dir.toString()); // unmounted by hand meanwhile
        assertEquals(DisconnectOutcome.UNMOUNTED, engine.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertTrue(guests.asked.isEmpty(), "nothing to keep: not asked");
    }
}
