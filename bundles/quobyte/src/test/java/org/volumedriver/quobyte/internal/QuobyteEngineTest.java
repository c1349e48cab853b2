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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.CommandTimedOutException;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.LimitExceededException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.UnsupportedFormatException;
import org.volumedriver.spi.VolumeDriverException;

class QuobyteEngineTest extends FakeHostFixture {

    /** The fake mount does not hide the directory: the volume file is written right after mounting. */
    void createVolumeOnMount(String export, String name, byte[] content) {
        createVolumeOnMount(base, export, name, content);
    }

    void createVolumeOnMount(Path mountBase, String export, String name, byte[] content) {
        Path mountDir = mountBase.resolve(MountLayout.hash(export));
        mounter.afterMount = () -> {
            try {
                Files.write(mountDir.resolve(name), content);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }

    static Attachment att(String volume, String instance) {
        return new Attachment(volume, instance);
    }

    @Test
    void mountDirectoryIsTheMd5OfTheStrippedExport() throws Exception {
        QuobyteEngine e = engine();
        assertEquals(HASH, MountLayout.hash(EXPORT));
        assertEquals(base.resolve(HASH).toString(), e.validate(info("quobyte://" + EXPORT, VOLUME1)).mountDirectory());
        assertEquals(base.resolve(HASH).toString(), e.validate(info(EXPORT, VOLUME1)).mountDirectory());
        assertEquals(EXPORT, e.validate(info("quobyte://" + EXPORT, VOLUME1)).export());
    }

    /** Monitoring exports every counter as a Prometheus counter: a value that falls reads as a reset. */
    @Test
    void noCounterEverFallsThroughMountsUnmountsAndFailures() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        List<Map<String, Long>> snapshots = new ArrayList<>();
        snapshots.add(e.counterSnapshot());
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        snapshots.add(e.counterSnapshot());
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2"));
        e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        snapshots.add(e.counterSnapshot());
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2")));
        snapshots.add(e.counterSnapshot());
        mounter.mountExitStatus = 4;
        assertThrows(CommandFailedException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm3")));
        snapshots.add(e.counterSnapshot());
        mounter.mountExitStatus = 0;
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm3"));
        e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm3"));
        snapshots.add(e.counterSnapshot());
        for (int i = 1; i < snapshots.size(); i++) {
            Map<String, Long> before = snapshots.get(i - 1);
            Map<String, Long> after = snapshots.get(i);
            for (Map.Entry<String, Long> counter : before.entrySet()) {
                assertTrue(after.getOrDefault(counter.getKey(), Long.MIN_VALUE) >= counter.getValue(),
                        counter.getKey() + " fell from " + counter.getValue() + " to " + after.get(counter.getKey()) + " at step " + i);
            }
        }
        assertEquals(2L, e.counterSnapshot().get("unmounts"), "the steps did happen");
    }

    @Test
    void connectMountsOnceAndSecondAttachmentRunsNoCommand() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        DiskSpec d = e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        assertEquals("file", d.sourceType());
        assertEquals(base.resolve(HASH).resolve(VOLUME1).toString(), d.sourcePath());
        assertEquals("raw", d.format());
        assertEquals(java.util.Optional.of(Fakes.UUID1), d.serial(), "the serial is the volume id, as Nova sets it");
        assertEquals(1, mounter.named("mount.quobyte").size());
        int before = mounter.calls.size();
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2"));
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2")); // repeat: harmless
        assertEquals(before, mounter.calls.size(), "a healthy mount starts no process");
        assertEquals(2, e.mounts().get(0).attachments().size());
        assertEquals(DisconnectOutcome.STILL_IN_USE, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertEquals(DisconnectOutcome.NOT_ATTACHED, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(table.isMounted(base.resolve(HASH).toString()));
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2")));
        assertFalse(table.isMounted(base.resolve(HASH).toString()));
        assertEquals(new Fakes.Call("umount", base.resolve(HASH), false), mounter.named("umount").get(0));
        assertFalse(Files.exists(base.resolve(HASH)), "directory removed after the verified unmount");
        assertEquals(1L, e.counterSnapshot().get("mounts"));
        assertEquals(1L, e.counterSnapshot().get("unmounts"));
    }

    @Test
    void createdDirectoryHasTheConfiguredMode() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(base.resolve(HASH))));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(base)));
    }

    @Test
    void rejectedInputRunsNothingAndCreatesNothing() throws Exception {
        QuobyteEngine e = engine();
        String[][] bad = {
            { "-o/vol", VOLUME1, null, "data.export" },
            { "host/vol;rm -rf /", VOLUME1, null, "data.export" },
            { EXPORT, "../../etc/shadow", null, "data.name" },
            { EXPORT, "/etc/shadow", null, "data.name" },
            { EXPORT, "volume-nope", null, "data.name" },
            { EXPORT, VOLUME1, "vmdk", "data.format" },
            { EXPORT, VOLUME1, "QCOW2", "data.format" },
        };
        for (String[] b : bad) {
            VolumeDriverException ex = assertThrows(VolumeDriverException.class,
                    () -> e.connect(info(b[0], b[1], b[2]), att(VOLUME1, "vm1")), String.join(",", b[0], b[1]));
            assertTrue(ex.getMessage().contains(b[3]), ex.getMessage());
        }
        assertThrows(InvalidConnectionInfoException.class, () -> e.connect(
                ConnectionInfo.fromMap(java.util.Map.of("driver_volume_type", "nfs", "data", java.util.Map.of("export", EXPORT, "name", VOLUME1))),
                att(VOLUME1, "vm1")));
        assertThrows(InvalidConnectionInfoException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME2, "vm1")));
        assertThrows(UnsupportedFormatException.class, () -> e.connect(info(EXPORT, VOLUME1, "vmdk"), att(VOLUME1, "vm1")));
        assertTrue(mounter.calls.isEmpty());
        try (var s = Files.list(base)) {
            assertEquals(List.of(base.resolve(QuobyteEngine.STATE_DIR)), s.toList());
        }
    }

    @Test
    void rejectionMessagesNeverEchoSecrets() throws Exception {
        QuobyteEngine e = engine();
        String[][] cases = {
            { "host/vol?password=hunter2", VOLUME1, "raw" },
            { EXPORT, "volume-password=hunter2", "raw" },
            { EXPORT, VOLUME1, "password=hunter2" },
            { "password=hunter2@host/vol", VOLUME1, "raw" },
        };
        for (String[] c : cases) {
            java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
            data.put("export", c[0]);
            data.put("name", c[1]);
            data.put("format", c[2]);
            data.put("auth_password", "hunter2");
            ConnectionInfo info = ConnectionInfo.fromMap(java.util.Map.of("driver_volume_type", "quobyte", "data", data));
            VolumeDriverException ex = assertThrows(VolumeDriverException.class, () -> e.connect(info, att(VOLUME1, "vm1")));
            assertFalse(ex.getMessage().contains("hunter2"), ex.getMessage());
        }
        assertTrue(mounter.calls.isEmpty());
    }

    @Test
    void nonZeroExitIsFailureAndEverythingIsUndone() throws Exception {
        QuobyteEngine e = engine();
        mounter.mountExitStatus = 4;
        mounter.mountAnyway = true; // the original accepted 4 even though the mount is there
        CommandFailedException ex = assertThrows(CommandFailedException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertEquals(4, ex.exitStatus());
        assertFalse(table.isMounted(base.resolve(HASH).toString()), "whatever got mounted is unmounted");
        assertFalse(Files.exists(base.resolve(HASH)));
        assertTrue(e.mounts().isEmpty());
        assertEquals(0, e.mountedCount());
    }

    @Test
    void timeoutIsFailure() throws Exception {
        QuobyteEngine e = engine();
        mounter.mountTimesOut = true;
        assertThrows(CommandTimedOutException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertFalse(Files.exists(base.resolve(HASH)));
    }

    @Test
    void exitZeroWithoutMountIsFailure() throws Exception {
        QuobyteEngine e = engine(settings().mountAppearTimeoutMs(50));
        mounter.mountExitStatus = 0;
        mounter.afterMount = () -> table.unmount(base.resolve(HASH).toString());
        assertThrows(MountUnhealthyException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertFalse(Files.exists(base.resolve(HASH)));
    }

    @Test
    void failedPostMountValidationUndoesTheMount() throws Exception {
        QuobyteEngine e = engine();
        probe.results.put(base.resolve(HASH), ProbeResult.ofSize(4096));
        assertThrows(MountUnhealthyException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertFalse(table.isMounted(base.resolve(HASH).toString()));
        assertEquals(1, mounter.named("umount").size());
        assertFalse(Files.exists(base.resolve(HASH)));
    }

    @Test
    void missingVolumeFileUndoesTheMount() throws Exception {
        QuobyteEngine e = engine();
        assertThrows(InvalidConnectionInfoException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertFalse(table.isMounted(base.resolve(HASH).toString()));
        assertTrue(e.mounts().isEmpty());
    }

    @Test
    void unsafeQcow2UndoesTheMount() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, Qcow2InspectorTest.header(3, Qcow2Inspector.INCOMPAT_DATA_FILE, null));
        assertThrows(UnsafeImageException.class, () -> e.connect(info(EXPORT, VOLUME1, "qcow2"), att(VOLUME1, "vm1")));
        assertFalse(table.isMounted(base.resolve(HASH).toString()));
    }

    @Test
    void symlinkVolumeFileIsRefused() throws Exception {
        QuobyteEngine e = engine();
        Path dir = base.resolve(HASH);
        mounter.afterMount = () -> {
            try {
                Files.createSymbolicLink(dir.resolve(VOLUME1), Path.of("/etc/passwd"));
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        };
        assertThrows(UnsafePathException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
    }

    @Test
    void staleWithoutAttachmentsIsHealed() throws Exception {
        QuobyteEngine e = engine();
        Path dir = base.resolve(HASH);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        table.mountQuobyte(dir.toString(), EXPORT);
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        mounter.afterMount = () -> {
            probe.results.remove(dir);
            writeEmpty(dir.resolve(VOLUME1));
        };
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        assertEquals(List.of("umount", "mount.quobyte"), mounter.calls.stream().map(Fakes.Call::command).toList());
        assertEquals(1L, e.counterSnapshot().get("heals"));
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state());
    }

    @Test
    void staleWithAttachmentsFailsAndLeavesTheMountAloneUnlessForced() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        Path dir = base.resolve(HASH);
        probe.results.put(dir, ProbeResult.timeout(100));
        int before = mounter.calls.size();
        StaleMountInUseException ex = assertThrows(StaleMountInUseException.class,
                () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2")));
        assertEquals(1, ex.attachments());
        assertThrows(StaleMountInUseException.class, () -> e.heal(dir.toString(), false));
        assertEquals(before, mounter.calls.size(), "the guests' mount is left alone");
        assertEquals(MountState.STALE, e.mounts().get(0).state());
        mounter.afterMount = () -> probe.results.remove(dir);
        MountStatus healed = e.heal(dir.toString(), true);
        assertEquals(MountState.HEALTHY, healed.state());
        assertEquals(1, healed.attachments().size());
    }

    @Test
    void aForcedHealEndsTheHungClientsScopeBeforeTheRemount() throws Exception {
        QuobyteEngine e = engine();
        mounter.scoped = true;
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        Path dir = base.resolve(HASH);
        probe.results.put(dir, ProbeResult.timeout(100));
        mounter.busy.add(dir.toString());
        mounter.afterMount = () -> probe.results.remove(dir);
        int before = mounter.calls.size();
        assertEquals(MountState.HEALTHY, e.heal(dir.toString(), true).state());
        assertEquals(List.of(new Fakes.Call("umount", dir, false), new Fakes.Call("umount", dir, true),
                new Fakes.Call("scope.stop", dir, false), new Fakes.Call("mount.quobyte", dir, false)),
                mounter.calls.subList(before, mounter.calls.size()),
                "the lazily detached client keeps its scope: it is ended before the scope is created again");
        assertEquals(2L, e.counterSnapshot().get("scopes.ended"), "one before the first mount, one before the remount");
    }

    @Test
    void isAttachedAnswersFromTheRecordsWithoutProbing() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        int probes = probe.probes.get();
        int commands = mounter.calls.size();
        assertTrue(e.isAttached(att(VOLUME1, "vm1")));
        assertFalse(e.isAttached(att(VOLUME1, "vm2")));
        assertEquals(probes, probe.probes.get(), "no probe");
        assertEquals(commands, mounter.calls.size(), "no process");
        e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        assertFalse(e.isAttached(att(VOLUME1, "vm1")));
    }

    @Test
    void listingMountsProbesThemNow() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        Path dir = base.resolve(HASH);
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state());
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        int before = mounter.calls.size();
        MountStatus listed = e.mounts().get(0);
        assertEquals(MountState.STALE, listed.state(), "a dead client shows at once, not after the watchdog");
        assertEquals(before, mounter.calls.size(), "listing heals nothing and runs nothing");
        probe.results.remove(dir);
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state());
    }

    @Test
    void errnoOutsideTheCorruptedSetIsNotHealed() throws Exception {
        QuobyteEngine e = engine();
        Path dir = base.resolve(HASH);
        table.mountQuobyte(dir.toString(), EXPORT);
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOENT));
        assertThrows(MountUnhealthyException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(mounter.calls.isEmpty());
    }

    @Test
    void busyUnmountIsReportedAndStateStaysConsistent() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        String dir = base.resolve(HASH).toString();
        mounter.busy.add(dir);
        assertEquals(DisconnectOutcome.BUSY, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(table.isMounted(dir));
        MountStatus s = e.mounts().get(0);
        assertEquals(MountState.BUSY, s.state());
        assertTrue(s.attachments().isEmpty());
        assertEquals(DisconnectOutcome.NOT_ATTACHED, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        // a connect after the failed unmount reuses the mount: no process
        int before = mounter.calls.size();
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2"));
        assertEquals(before, mounter.calls.size());
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state());
        mounter.busy.clear();
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2")));
    }

    @Test
    void healOfIdleStaleMountFallsBackToLazyUnmount() throws Exception {
        QuobyteEngine e = engine();
        Path dir = base.resolve(HASH);
        table.mountQuobyte(dir.toString(), EXPORT);
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ESTALE));
        mounter.busy.add(dir.toString());
        Fakes.Table t = table;
        MountStatus s = e.heal(dir.toString(), false);
        assertEquals(MountState.NOT_MOUNTED, s.state());
        assertEquals(2, mounter.named("umount").size(), "normal unmount, then lazy as the last resort");
        assertEquals(new Fakes.Call("umount", dir, true), mounter.named("umount").get(1));
        assertFalse(t.isMounted(dir.toString()));
        assertThrows(UnsafePathException.class, () -> e.heal("/etc", true));
        assertThrows(UnsafePathException.class, () -> e.heal(base.resolve("../x").toString(), true));
    }

    @Test
    void anotherFileSystemAtTheMountDirectoryIsRefused() throws Exception {
        QuobyteEngine e = engine();
        table.mount(base.resolve(HASH).toString(), "tmpfs", "tmpfs");
        assertThrows(UnsafePathException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(mounter.calls.isEmpty());
    }

    @Test
    void legacyFuseMountsAreRecognisedOnlyWhenEnabled() throws Exception {
        Path dir = base.resolve(HASH);
        table.mount(dir.toString(), "fuse", "quobyte@" + EXPORT);
        Files.createDirectories(dir);
        Files.write(dir.resolve(VOLUME1), new byte[0]);
        QuobyteEngine legacy = engine(settings().legacyFuse(true));
        legacy.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        assertTrue(mounter.calls.isEmpty());
        QuobyteEngine strict = engine(settings().journal(tmp.resolve("j2").toString()));
        Files.createDirectories(tmp.resolve("j2").getParent());
        assertThrows(UnsafePathException.class, () -> strict.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2")));
    }

    @Test
    void nonEmptyMountDirectoryIsRefusedBeforeAnyCommand() throws Exception {
        QuobyteEngine e = engine();
        Path dir = base.resolve(HASH);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(dir.resolve("planted"), "x");
        assertThrows(UnsafePathException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(mounter.calls.isEmpty());
    }

    @Test
    void mountDirectoryWithWrongModeOrSymlinkIsRefused() throws Exception {
        QuobyteEngine e = engine();
        Path dir = base.resolve(HASH);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThrows(UnsafePathException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        Files.delete(dir);
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(dir, elsewhere);
        assertThrows(UnsafePathException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(mounter.calls.isEmpty());
    }

    @Test
    void baseBelowADirectoryOthersCanChangeIsRefused() throws Exception {
        // a group-writable parent lets its group rename the base away and put their own in its place
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
        InvalidConfigurationException a = assertThrows(InvalidConfigurationException.class,
                () -> engine(Settings.builder().mountBase(shared.resolve("q").resolve("mnt").toString())));
        assertEquals("mount.base", a.key());
        assertTrue(a.getMessage().contains(shared.toString()), a.getMessage());
        assertFalse(Files.exists(shared.resolve("q")), "nothing created below the unsafe directory");

        // sticky like /tmp: only an entry's owner may rename it
        Files.setAttribute(shared, "unix:mode", 01777);
        QuobyteEngine ok = engine(Settings.builder().mountBase(shared.resolve("q").resolve("mnt").toString()).watchdogEnabled(false));
        ok.close();

        if (UID == 0) {
            Path foreign = Files.createDirectory(tmp.resolve("foreign"));
            Files.setAttribute(foreign, "unix:uid", 4242);
            InvalidConfigurationException f = assertThrows(InvalidConfigurationException.class,
                    () -> engine(Settings.builder().mountBase(foreign.resolve("mnt").toString())));
            assertTrue(f.getMessage().contains("uid 4242"), f.getMessage());
            assertFalse(Files.exists(foreign.resolve("mnt")));
        }
        assertTrue(mounter.calls.isEmpty());
    }

    @Test
    void createdDirectoriesGetTheConfiguredGroupAndAForeignGroupIsRefused() throws Exception {
        // QEMU's group reaches the volumes under mode 0750; root may give any group, others only their own
        String group = UID == 0 ? "nogroup"
                : Files.readAttributes(tmp, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        Path groupedBase = tmp.resolve("grouped").resolve("mnt");
        QuobyteEngine e = engine(Settings.builder().mountBase(groupedBase.toString()).watchdogEnabled(false).directoryGroup(group));
        try {
            for (Path p : List.of(groupedBase.getParent(), groupedBase)) {
                assertEquals(group, groupOf(p), p + " was created with the group");
            }
            createVolumeOnMount(groupedBase, EXPORT, VOLUME1, new byte[0]);
            e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
            assertEquals(group, groupOf(groupedBase.resolve(HASH)), "the mount directory too");
            assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
            mounter.calls.clear();
        } finally {
            e.close();
        }
        QuobyteEngine again = engine(Settings.builder().mountBase(groupedBase.toString()).watchdogEnabled(false).directoryGroup(group));
        try {
            Files.createDirectory(groupedBase.resolve(HASH));
            Files.setPosixFilePermissions(groupedBase.resolve(HASH), PosixFilePermissions.fromString("rwxr-x---"));
            if (UID == 0) {
                Files.setAttribute(groupedBase.resolve(HASH), "unix:gid", 0);
                UnsafePathException foreign = assertThrows(UnsafePathException.class,
                        () -> again.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
                assertTrue(foreign.getMessage().contains("has group"), foreign.getMessage());
                assertTrue(mounter.calls.isEmpty(), "refused before mounting");
                Files.setAttribute(groupedBase.resolve(HASH), "unix:gid", 65534);
            }
            createVolumeOnMount(groupedBase, EXPORT, VOLUME1, new byte[0]);
            again.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
            assertEquals(group, groupOf(groupedBase.resolve(HASH)));
        } finally {
            again.close();
        }
        InvalidConfigurationException unknown = assertThrows(InvalidConfigurationException.class,
                () -> engine(Settings.builder().mountBase(groupedBase.toString()).directoryGroup("no-such-group-here")));
        assertEquals("directory.group", unknown.key());
        if (UID == 0) {
            // an existing base with another group is the operator's to change
            Path other = Files.createDirectories(tmp.resolve("other").resolve("mnt"));
            Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwxr-x---"));
            InvalidConfigurationException base = assertThrows(InvalidConfigurationException.class,
                    () -> engine(Settings.builder().mountBase(other.toString()).directoryGroup("nogroup")));
            assertEquals("mount.base", base.key());
            assertTrue(base.getMessage().contains("directory.group"), base.getMessage());
        }
    }

    static String groupOf(Path p) throws java.io.IOException {
        return Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                .group().getName();
    }

    @Test
    void hostileBaseIsRefused() throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        InvalidConfigurationException a = assertThrows(InvalidConfigurationException.class,
                () -> engine(Settings.builder().mountBase(open.toString())));
        assertEquals("mount.base", a.key());
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertThrows(InvalidConfigurationException.class, () -> engine(Settings.builder().mountBase(link.toString())));
        assertThrows(InvalidConfigurationException.class,
                () -> engine(Settings.builder().mountBase(link.resolve("sub").toString())));
        assertFalse(Files.exists(real.resolve("sub")), "nothing created through the symlink");
        assertThrows(InvalidConfigurationException.class, () -> Settings.builder().mountBase("relative/dir").build());
        assertThrows(InvalidConfigurationException.class, () -> Settings.builder().mountBase("/a/../b").build());
        assertTrue(mounter.calls.isEmpty());
    }

    @Test
    void clientConfigMustBeAPrivateRegularFile() throws Exception {
        Path cfg = tmp.resolve("client.cfg");
        Files.writeString(cfg, "x");
        Files.setPosixFilePermissions(cfg, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThrows(InvalidConfigurationException.class, () -> engine(settings().clientConfig(cfg.toString())));
        assertThrows(InvalidConfigurationException.class, () -> engine(settings().clientConfig(tmp.toString())));
        assertThrows(InvalidConfigurationException.class, () -> engine(settings().clientConfig(tmp.resolve("none").toString())));
    }

    @Test
    void limitsFailFastBeforeAnyProcess() throws Exception {
        QuobyteEngine e = engine(settings().maxMounts(1));
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        int before = mounter.calls.size();
        LimitExceededException ex = assertThrows(LimitExceededException.class,
                () -> e.connect(info("192.168.1.2/other", VOLUME1), att(VOLUME1, "vm1")));
        assertEquals("max.mounts", ex.limit());
        assertEquals(before, mounter.calls.size());
        assertFalse(Files.exists(base.resolve(MountLayout.hash("192.168.1.2/other"))));
    }

    @Test
    void journalRecoversAttachmentsInANewEngine() throws Exception {
        QuobyteEngine first = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        first.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        first.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2"));
        first.close();
        QuobyteEngine second = engine();
        MountStatus s = second.mounts().get(0);
        assertEquals(2, s.attachments().size());
        assertEquals(MountState.HEALTHY, s.state());
        int before = mounter.calls.size();
        assertEquals(DisconnectOutcome.STILL_IN_USE, second.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertEquals(DisconnectOutcome.UNMOUNTED, second.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2")));
        assertEquals(before + 1, mounter.calls.size());
    }

    @Test
    void corruptJournalIsMovedAsideAndNothingIsUnmounted() throws Exception {
        Files.createDirectories(base.resolve(QuobyteEngine.STATE_DIR));
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setPosixFilePermissions(base.resolve(QuobyteEngine.STATE_DIR), PosixFilePermissions.fromString("rwx------"));
        Files.writeString(base.resolve(QuobyteEngine.STATE_DIR).resolve("attachments.journal"), "garbage\n");
        QuobyteEngine e = engine();
        assertTrue(e.mounts().isEmpty());
        try (var s = Files.list(base.resolve(QuobyteEngine.STATE_DIR))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("attachments.journal.corrupt-")));
        }
    }

    @Test
    void watchdogHealsIdleStaleMountsAndReportsUsedOnes() throws Exception {
        QuobyteEngine e = engine();
        // an export this engine mounted whose last disconnect could not unmount it: idle, then stale
        String idleExport = "192.168.1.3/idle";
        Path idle = base.resolve(MountLayout.hash(idleExport));
        createVolumeOnMount(idleExport, VOLUME2, new byte[0]);
        e.connect(info(idleExport, VOLUME2), att(VOLUME2, "vm9"));
        mounter.umountFailure = new CommandFailedException("umount", -1, null);
        assertThrows(CommandFailedException.class, () -> e.disconnect(info(idleExport, VOLUME2), att(VOLUME2, "vm9")));
        mounter.umountFailure = null;
        probe.results.put(idle, ProbeResult.ofErrno(Errno.ENOTCONN));
        // a stale mount in use
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        probe.results.put(base.resolve(HASH), ProbeResult.ofErrno(Errno.EIO));
        // a Quobyte mount under the base this engine has no record of: another agent's (same layout)
        Path foreign = base.resolve(MountLayout.hash("h1/foreign"));
        table.mountQuobyte(foreign.toString(), "h1/foreign");
        probe.results.put(foreign, ProbeResult.ofErrno(Errno.ENOTCONN));
        e.watchdogScan();
        assertFalse(table.isMounted(idle.toString()), "idle stale mount healed (unmounted)");
        assertTrue(table.isMounted(base.resolve(HASH).toString()), "used stale mount left alone");
        assertTrue(table.isMounted(foreign.toString()), "a mount without a record here is never touched");
        assertEquals(1L, e.counterSnapshot().get("watchdog.heals"));
        assertEquals(1L, e.counterSnapshot().get("watchdog.stale.in.use"));
        assertEquals(1L, e.counterSnapshot().get("watchdog.unrecorded.mounts"));
        assertEquals(MountState.STALE, e.mounts().stream()
                .filter(m -> m.mountDirectory().equals(base.resolve(HASH).toString())).findFirst().orElseThrow().state());
    }

    @Test
    void describeDiskTouchesNothing() throws Exception {
        QuobyteEngine e = engine();
        DiskSpec d = e.describeDisk(info(EXPORT, VOLUME1, "qcow2"));
        assertEquals("qcow2", d.format());
        assertEquals("none", d.cache().orElseThrow());
        assertEquals("native", d.io().orElseThrow());
        assertEquals(Fakes.UUID1, d.serial().orElseThrow());
        assertTrue(mounter.calls.isEmpty());
        assertFalse(Files.exists(base.resolve(HASH)));
    }

    @Test
    void theSerialIsTheVolumeIdForEveryFileOfItsChainAndAbsentForOtherNames() throws Exception {
        QuobyteEngine e = engine();
        for (String name : List.of(VOLUME1, VOLUME1 + "." + Fakes.UUID2, VOLUME1 + ".tmp-snap-" + Fakes.UUID2)) {
            assertEquals(java.util.Optional.of(Fakes.UUID1), e.describeDisk(info(EXPORT, name)).serial(), name);
        }
        e.close();
        QuobyteEngine custom = engine(settings().volumeNamePattern("(?:volume-|disk-)[a-z0-9.-]{1,60}"));
        for (String name : List.of("disk-" + Fakes.UUID1, "volume-1", "volume-" + Fakes.UUID1.substring(1))) {
            assertEquals(java.util.Optional.empty(), custom.describeDisk(info(EXPORT, name)).serial(), name);
        }
        assertEquals(java.util.Optional.of(Fakes.UUID1), custom.describeDisk(info(EXPORT, VOLUME1)).serial());
    }
    @Test
    void disconnectWhoseUmountCannotRunLeavesAConsistentIdleMountThatTheWatchdogUnmountsOnce() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        String dir = base.resolve(HASH).toString();
        mounter.umountFailure = new org.volumedriver.spi.ExecutorSaturatedException("umount", 1, java.time.Duration.ZERO);
        assertThrows(org.volumedriver.spi.ExecutorSaturatedException.class,
                () -> e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(table.isMounted(dir), "the mount is kept");
        assertEquals(1, e.mounts().size());
        assertTrue(e.mounts().get(0).attachments().isEmpty());
        assertEquals(1, e.mountedCount(), "still counted against max.mounts");
        assertEquals(0, e.attachmentCount());
        // a retry while the executor is still saturated: not attached, nothing changes
        assertEquals(DisconnectOutcome.NOT_ATTACHED, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(table.isMounted(dir));
        assertEquals(1, e.mountedCount());
        mounter.umountFailure = null;
        int before = mounter.named("umount").size();
        e.watchdogScan();
        assertFalse(table.isMounted(dir), "the idle mount is garbage: unmounted");
        assertFalse(Files.exists(base.resolve(HASH)));
        assertEquals(0, e.mountedCount());
        assertEquals(1L, e.counterSnapshot().get("watchdog.idle.unmounts"));
        assertTrue(e.mounts().isEmpty());
        e.watchdogScan();
        assertEquals(before + 1, mounter.named("umount").size(), "exactly one unmount");
        // and the export can be used again
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2"));
        assertEquals(1, e.mountedCount());
    }

    @Test
    void repeatedDisconnectFinishesAnUnmountThatCouldNotStart() throws Exception {
        QuobyteEngine e = engine(settings().maxMounts(1));
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        String dir = base.resolve(HASH).toString();
        mounter.umountFailure = new CommandFailedException("umount", -1, null);
        assertThrows(CommandFailedException.class, () -> e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(table.isMounted(dir));
        // the idle mount holds the only mount slot
        assertThrows(LimitExceededException.class, () -> e.connect(info("192.168.1.2/other", VOLUME2), att(VOLUME2, "vm1")));
        mounter.umountFailure = null;
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertFalse(table.isMounted(dir));
        assertEquals(0, e.mountedCount());
        assertEquals(DisconnectOutcome.NOT_ATTACHED, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertTrue(e.mounts().isEmpty());
    }

    @Test
    void watchdogLeavesAHealthyMountWithAttachmentsAlone() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        int before = mounter.calls.size();
        e.watchdogScan();
        assertEquals(before, mounter.calls.size());
        assertTrue(table.isMounted(base.resolve(HASH).toString()));
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state());
    }

    @Test
    void busyRetryByTheWatchdogWaitsForAFreeOperationPermit() throws Exception {
        QuobyteEngine e = engine(settings().maxConcurrentOperations(1).operationQueueTimeoutMs(0));
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        String dir = base.resolve(HASH).toString();
        mounter.busy.add(dir);
        assertEquals(DisconnectOutcome.BUSY, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        mounter.busy.clear();
        // another export's mount holds the only operation permit
        java.util.concurrent.CountDownLatch inMount = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        mounter.afterMount = () -> { };
        mounter.beforeMount = () -> {
            inMount.countDown();
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        };
        Thread other = new Thread(() -> {
            try {
                e.connect(info("192.168.1.2/other", VOLUME2), att(VOLUME2, "vm1"));
            } catch (VolumeDriverException ex) {
                // the volume file does not exist there; only the permit matters
            }
        });
        other.start();
        try {
            assertTrue(inMount.await(10, java.util.concurrent.TimeUnit.SECONDS));
            int before = mounter.named("umount").size();
            e.watchdogScan();
            assertEquals(before, mounter.named("umount").size(), "no umount beyond max.concurrent.operations");
            assertTrue(table.isMounted(dir));
            assertEquals(MountState.BUSY, e.mounts().stream().filter(m -> m.mountDirectory().equals(dir)).findFirst().orElseThrow().state());
        } finally {
            release.countDown();
            other.join(10_000);
        }
        mounter.beforeMount = () -> { };
        e.watchdogScan();
        assertFalse(table.isMounted(dir), "retried once a permit was free");
    }

    @Test
    void connectWhoseJournalWriteFailsUndoesItsMountAndTheJournalRecoversWithoutRestart() throws Exception {
        QuobyteEngine e = engine();
        createVolumeOnMount(EXPORT, VOLUME1, new byte[0]);
        String dir = base.resolve(HASH).toString();
        e.journal().fault(step -> {
            throw new java.io.IOException("disk full");
        });
        VolumeDriverException ex = assertThrows(VolumeDriverException.class, () -> e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1")));
        assertEquals("JOURNAL_FAILED", ex.code());
        assertFalse(table.isMounted(dir), "the mount made by this connect is undone");
        assertFalse(Files.exists(base.resolve(HASH)));
        assertEquals(1, mounter.named("mount.quobyte").size());
        assertEquals(1, mounter.named("umount").size());
        assertEquals(0, e.mountedCount());
        assertEquals(0, e.attachmentCount());
        assertTrue(e.mounts().isEmpty());
        // the fault is cleared: the next connect repairs the journal, no restart needed
        e.journal().fault(null);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm1"));
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2"));
        // a removal that can only be logged while the journal is broken ...
        e.journal().fault(step -> {
            throw new java.io.IOException("disk full");
        });
        assertEquals(DisconnectOutcome.STILL_IN_USE, e.disconnect(info(EXPORT, VOLUME1), att(VOLUME1, "vm2")));
        assertTrue(e.journal().isBroken());
        e.journal().fault(null);
        e.connect(info(EXPORT, VOLUME1), att(VOLUME1, "vm3"));
        assertFalse(e.journal().isBroken());
        assertEquals(1, e.mountedCount());
        // ... is not resurrected: a new engine over the journal (as after a crash) sees exactly the in-memory attachments
        QuobyteEngine second = engine();
        try {
            assertEquals(java.util.Set.of(att(VOLUME1, "vm1"), att(VOLUME1, "vm3")), second.mounts().get(0).attachments());
            assertEquals(java.util.Set.copyOf(e.mounts().get(0).attachments()), second.mounts().get(0).attachments());
        } finally {
            second.close();
            e.close();
        }
    }
}
