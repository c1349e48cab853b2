package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The connect of a new attachment to a healthy mount the driver already knows (E3, D1, D2, E7):
 * one probe, one look at the volume file, one journal line, no mount-table read while the kernel's
 * unique mount id shows the recorded mount still on top; whatever else is on the directory is
 * judged by a fresh table read as before.
 */
class HotConnectTest extends FakeHostFixture {

    @BeforeEach
    void setUp() {
        filesOnMount(0, VOLUME1);
    }

    QuobyteEngine engine(Mounter m, boolean journalSync) throws VolumeDriverException {
        return engineBuilder().mounter(m).settings(settings().journalSync(journalSync)).start();
    }

    static Attachment att(String instance) {
        return new Attachment(VOLUME1, instance);
    }

    List<String> logLines() throws Exception {
        return Files.readAllLines(base.resolve(QuobyteEngine.STATE_DIR).resolve("attachments.journal.log"));
    }

    @Test
    void aHotConnectProbesOnceReadsNoMountTableAndStartsNothing() throws Exception {
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), att("vm1"));
        int reads = table.reads.get();
        int probes = probe.probes.get();
        int calls = mounter.calls.size();
        for (int i = 2; i <= 5; i++) {
            e.connect(info(EXPORT, VOLUME1), att("vm" + i));
        }
        assertEquals(reads, table.reads.get(), "the recorded mount's unique id vouches for it: no table read");
        assertEquals(probes + 4, probe.probes.get(), "one health probe per connect");
        assertEquals(calls, mounter.calls.size(), "no process");
        assertEquals(5, e.attachmentCount());
    }

    @Test
    void aFileSystemMountedOnTopIsSeenByTheNextConnect() throws Exception {
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), att("vm1"));
        table.mount(dir.toString(), "tmpfs", "tmpfs");
        UnsafePathException refused = assertThrows(UnsafePathException.class, () -> e.connect(info(EXPORT, VOLUME1), att("vm2")));
        assertTrue(refused.getMessage().contains("another file system type"), refused.getMessage());
        assertFalse(e.isAttached(att("vm2")));
    }

    @Test
    void aMountGoneBehindOurBackIsMountedAgain() throws Exception {
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), att("vm1"));
        table.unmount(dir.toString());
        Files.delete(dir.resolve(VOLUME1)); // it was on the mount
        e.connect(info(EXPORT, VOLUME1), att("vm2"));
        assertEquals(2, mounter.named("mount.quobyte").size());
        assertTrue(table.isMounted(dir.toString()));
    }

    @Test
    void aRemountBehindOurBackIsNeverTakenForTheRecordedMount() throws Exception {
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), att("vm1"));
        table.remountReusingTheNumbers(dir.toString(), EXPORT);
        int reads = table.reads.get();
        e.connect(info(EXPORT, VOLUME1), att("vm2"));
        e.connect(info(EXPORT, VOLUME1), att("vm3"));
        assertEquals(reads + 2, table.reads.get(), "another mount's id never vouches: the table decides every time");
        assertEquals(1, mounter.named("mount.quobyte").size());
    }

    @Test
    void withoutUniqueMountIdsTheTableDecidesEveryConnect() throws Exception {
        Mounter noUniqueIds = new Mounter() {
            @Override
            public Outcome mount(String export, Path d) {
                return mounter.mount(export, d);
            }

            @Override
            public Outcome unmount(Path d, boolean lazy) throws VolumeDriverException {
                return mounter.unmount(d, lazy);
            }

            @Override
            public List<MountEntry> table() {
                return mounter.table();
            }

            @Override
            public OptionalLong mountIdAt(Path d) {
                return OptionalLong.empty(); // a kernel before 6.8
            }
        };
        QuobyteEngine e = engine(noUniqueIds, false);
        e.connect(info(EXPORT, VOLUME1), att("vm1"));
        int reads = table.reads.get();
        e.connect(info(EXPORT, VOLUME1), att("vm2"));
        e.connect(info(EXPORT, VOLUME1), att("vm3"));
        assertEquals(reads + 2, table.reads.get());
        table.mount(dir.toString(), "tmpfs", "tmpfs");
        assertThrows(UnsafePathException.class, () -> e.connect(info(EXPORT, VOLUME1), att("vm4")));
    }

    @Test
    void aStaleRecordedMountWithoutAttachmentsIsHealedFromAFreshTableRead() throws Exception {
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), att("vm1"));
        mounter.busy.add(dir.toString());
        assertEquals(DisconnectOutcome.BUSY, e.disconnect(info(EXPORT, VOLUME1), att("vm1")));
        mounter.busy.clear();
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        mounter.beforeUmount = () -> probe.results.remove(dir);
        int reads = table.reads.get();
        e.connect(info(EXPORT, VOLUME1), att("vm2"));
        assertTrue(table.reads.get() > reads, "the heal reads the table");
        // the busy unmount of the disconnect, then the heal's unmount and mount
        assertEquals(List.of("mount.quobyte", "umount", "umount", "mount.quobyte"), mounter.calls.stream().map(Fakes.Call::command).toList());
        assertEquals(MountState.HEALTHY, e.mounts().get(0).state());
    }

    @Test
    void theJournalNamesTheExportWithTheFirstAttachmentOnly() throws Exception {
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), att("vm1"));
        e.connect(info(EXPORT, VOLUME1), att("vm2"));
        e.connect(info(EXPORT, VOLUME1), att("vm3"));
        assertEquals(List.of("M", "C", "A", "A", "A"), logLines().stream().map(l -> l.substring(0, 1)).toList());
        e.disconnect(info(EXPORT, VOLUME1), att("vm1"));
        e.disconnect(info(EXPORT, VOLUME1), att("vm2"));
        e.disconnect(info(EXPORT, VOLUME1), att("vm3"));
        e.connect(info(EXPORT, VOLUME1), att("vm4"));
        e.connect(info(EXPORT, VOLUME1), att("vm5"));
        assertEquals(List.of("M", "C", "A", "A", "A", "R", "R", "R", "M", "C", "A", "A"),
                logLines().stream().map(l -> l.substring(0, 1)).toList());
        // replayed as a restart after a crash of the JVM would (no final snapshot)
        List<Journal.Entry> replayed = new Journal(base.resolve(QuobyteEngine.STATE_DIR).resolve("attachments.journal"), List::of).read();
        assertEquals(1, replayed.size());
        assertEquals(EXPORT, replayed.get(0).export());
        assertEquals(Set.of(att("vm4"), att("vm5")), replayed.get(0).attachments());
        assertEquals(Optional.of(table.connectionAt(dir)), Optional.ofNullable(replayed.get(0).connection()).flatMap(FuseConnection::parse));
    }

    @Test
    void byDefaultAConnectWaitsForNoFsync() throws Exception {
        QuobyteEngine e = engine(mounter, Settings.builder().build().journalSync);
        e.connect(info(EXPORT, VOLUME1), att("vm1"));
        e.connect(info(EXPORT, VOLUME1), att("vm2"));
        assertEquals(0L, e.counterSnapshot().get("journal.syncs"));
        assertEquals(4L, e.counterSnapshot().get("journal.changes"), "M, C and A, then A");
        e.close();

        QuobyteEngine synced = engine(mounter, true);
        synced.connect(info(EXPORT, VOLUME1), att("vm3"));
        assertEquals(1L, synced.counterSnapshot().get("journal.syncs"), "journal.sync=true: each connect waits for the disk");
        synced.close();
    }
}
