package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.spi.Attachment;

class JournalTest {

    static final String EXPORT = "192.168.1.1/volume-00001";
    static final String HASH = MountLayout.hash(EXPORT);

    @TempDir
    Path tmp;

    final Set<Attachment> live = new TreeSet<>();

    Collection<Journal.Entry> state() {
        return live.isEmpty() ? List.of() : List.of(new Journal.Entry(HASH, EXPORT, live));
    }

    Journal journal() throws IOException {
        Journal j = new Journal(tmp.resolve("attachments.journal"), this::state);
        j.open();
        return j;
    }

    void add(Journal j, String instance) throws IOException {
        Attachment a = new Attachment(Fakes.VOLUME1, instance);
        live.add(a);
        j.append(List.of(Journal.Op.mount(HASH, EXPORT), Journal.Op.add(HASH, a)));
    }

    void remove(Journal j, String instance) throws IOException {
        Attachment a = new Attachment(Fakes.VOLUME1, instance);
        live.remove(a);
        j.append(List.of(Journal.Op.remove(HASH, a)));
    }

    Set<Attachment> reread() throws IOException {
        List<Journal.Entry> es = new Journal(tmp.resolve("attachments.journal"), List::of).read();
        return es.isEmpty() ? Set.of() : es.get(0).attachments();
    }

    @Test
    void snapshotPlusLogReplay() throws Exception {
        Journal j = journal();
        add(j, "vm1");
        add(j, "vm2");
        remove(j, "vm1");
        assertEquals(Set.of(new Attachment(Fakes.VOLUME1, "vm2")), reread(), "read back without a clean close (a crash)");
        j.close();
        assertEquals(Set.of(new Attachment(Fakes.VOLUME1, "vm2")), reread());
        assertEquals(0, Files.size(tmp.resolve("attachments.journal.log")), "closing compacts into the snapshot");
    }

    @Test
    void tornLastAppendIsIgnoredButCorruptionInTheMiddleIsNot() throws Exception {
        Journal j = journal();
        add(j, "vm1");
        Path log = tmp.resolve("attachments.journal.log");
        Files.writeString(log, "A " + HASH + " " + Fakes.VOLUME1 + " vm9 0000", StandardOpenOption.APPEND);
        assertEquals(Set.of(new Attachment(Fakes.VOLUME1, "vm1")), reread());
        Files.writeString(log, "\n" + Journal.withCrc("A " + HASH + " " + Fakes.VOLUME1 + " vm3") + "\n", StandardOpenOption.APPEND);
        assertThrows(IOException.class, this::reread);
    }

    @Test
    void replayOverANewerSnapshotIsHarmless() throws Exception {
        Journal j = journal();
        add(j, "vm1");
        add(j, "vm2");
        remove(j, "vm2");
        byte[] log = Files.readAllBytes(tmp.resolve("attachments.journal.log"));
        j.close(); // snapshot now holds vm1
        Files.write(tmp.resolve("attachments.journal.log"), log); // as if the crash hit between snapshot and log reset
        assertEquals(Set.of(new Attachment(Fakes.VOLUME1, "vm1")), reread());
    }

    @Test
    void theLogIsCompactedWhenItGrows() throws Exception {
        Journal j = journal();
        for (int i = 0; i < Journal.MIN_COMPACT; i++) {
            add(j, "vm" + i);
            remove(j, "vm" + i);
        }
        assertTrue(Files.readAllLines(tmp.resolve("attachments.journal.log")).size() <= Journal.MIN_COMPACT + 3,
                "3 x " + Journal.MIN_COMPACT + " changes were appended; the log was reset on the way");
        assertEquals(Set.of(), reread());
        add(j, "last");
        assertEquals(Set.of(new Attachment(Fakes.VOLUME1, "last")), reread());
    }

    @Test
    void concurrentAppendsAcrossCompactionsLoseNothing() throws Exception {
        // while one writer compacts, the others queue; what the file holds at the end equals the live state
        Set<Attachment> shared = new java.util.concurrent.ConcurrentSkipListSet<>();
        Path file = tmp.resolve("concurrent.journal");
        Journal j = new Journal(file, () -> shared.isEmpty() ? List.of() : List.of(new Journal.Entry(HASH, EXPORT, Set.copyOf(shared))));
        j.open();
        int threads = 8;
        int perThread = Journal.MIN_COMPACT / 2;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    Attachment a = new Attachment(Fakes.VOLUME1, "t" + thread + "-" + i);
                    shared.add(a);
                    j.append(List.of(Journal.Op.mount(HASH, EXPORT), Journal.Op.add(HASH, a)));
                    if (i % 3 != 0) {
                        shared.remove(a);
                        j.append(List.of(Journal.Op.remove(HASH, a)));
                    }
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get(2, java.util.concurrent.TimeUnit.MINUTES);
        }
        pool.shutdown();
        long changes = (long) threads * perThread * 2 + (long) threads * (perThread - (perThread + 2) / 3);
        assertTrue(changes > 2L * Journal.MIN_COMPACT, "the run crosses several compactions: " + changes + " changes");
        assertTrue(Files.readAllLines(file.resolveSibling("concurrent.journal.log")).size() < changes, "the log was reset on the way");
        List<Journal.Entry> read = new Journal(file, List::of).read(); // as after a crash: no final snapshot
        assertEquals(new TreeSet<>(shared), new TreeSet<>(read.get(0).attachments()));
        assertEquals(threads * ((perThread + 2) / 3), shared.size());
        j.close();
    }

    @Test
    void invalidValuesAreRefused() throws Exception {
        Files.writeString(tmp.resolve("attachments.journal"), Journal.HEADER + "\nM " + HASH + " other/export\n");
        assertThrows(IOException.class, this::reread);
        Files.writeString(tmp.resolve("attachments.journal"), Journal.HEADER + "\nM " + HASH + " " + EXPORT + "\nA " + HASH + " ../x vm1\n");
        assertThrows(IOException.class, this::reread);
        List<String> ok = new ArrayList<>(List.of(Journal.HEADER, "M " + HASH + " " + EXPORT, "A " + HASH + " " + Fakes.VOLUME1 + " vm1"));
        Files.write(tmp.resolve("attachments.journal"), ok);
        assertEquals(1, reread().size());
    }
    @Test
    void theConnectionOfAMountIsKeptInTheSnapshotAndTheLog() throws Exception {
        Path file = tmp.resolve("attachments.journal");
        Attachment a = new Attachment(Fakes.VOLUME1, "vm1");
        String[] connection = { "0:52" };
        long[] id = { 2147489588L };
        Journal j = new Journal(file, () -> List.of(new Journal.Entry(HASH, EXPORT, Set.of(a), connection[0], id[0])));
        j.open();
        assertTrue(Files.readString(file).contains("C " + HASH + " 0:52 2147489588\n"));
        // a remount: the log says so, and a replay ends with the latest connection
        j.append(List.of(Journal.Op.mount(HASH, EXPORT), Journal.Op.connection(HASH, "0:61", 2147489601L)));
        List<Journal.Entry> read = new Journal(file, List::of).read();
        assertEquals("0:61", read.get(0).connection());
        assertEquals(2147489601L, read.get(0).mountId());
        connection[0] = "0:61";
        id[0] = 0;
        j.close();
        assertEquals("0:61", new Journal(file, List::of).read().get(0).connection());
        assertEquals(0L, new Journal(file, List::of).read().get(0).mountId(), "0: the kernel had no unique mount id");
        assertTrue(Files.readString(file).startsWith("volumedriver-quobyte-journal 3\n"));
    }

    @Test
    void aJournalOfFormatOneIsReadWithoutConnections() throws Exception {
        Files.write(tmp.resolve("attachments.journal"), List.of("volumedriver-quobyte-journal 1", "M " + HASH + " " + EXPORT,
                "A " + HASH + " " + Fakes.VOLUME1 + " vm1"));
        List<Journal.Entry> read = new Journal(tmp.resolve("attachments.journal"), List::of).read();
        assertEquals(1, read.get(0).attachments().size());
        assertEquals(null, read.get(0).connection());
    }

    @Test
    void aConnectionLineMustNameAKnownDirectoryAndADevice() throws Exception {
        for (String bad : new String[] { "C " + HASH + " 52 0", "C " + HASH + " 0:x 0", "C " + HASH + " 0:5", "C " + HASH + " 0:5 -1",
            "C " + HASH + " 0:5 01", "C " + MountLayout.hash("h/other") + " 0:5 0" }) {
            Files.write(tmp.resolve("attachments.journal"), List.of(Journal.HEADER, "M " + HASH + " " + EXPORT, bad,
                    "A " + HASH + " " + Fakes.VOLUME1 + " vm1"));
            assertThrows(IOException.class, this::reread, bad);
        }
    }

    @Test
    void linesQueuedAcrossACompactionForADirectoryThatEmptiedOutAreReplayedNotRefused() throws Exception {
        Journal j = journal();
        add(j, "vm1");
        Attachment vm1 = new Attachment(Fakes.VOLUME1, "vm1");
        Attachment vm2 = new Attachment(Fakes.VOLUME1, "vm2");
        // vm2 came and both went in memory before the compaction read the state, their lines are queued
        // only after it: the new snapshot does not name the directory, the new log holds A, R, R for it
        long[] queued = { -1 };
        j.fault(step -> {
            if (step.equals("snapshot") && queued[0] < 0) {
                queued[0] = j.enqueue(List.of(Journal.Op.add(HASH, vm2), Journal.Op.remove(HASH, vm1), Journal.Op.remove(HASH, vm2)));
            }
        });
        live.clear();
        List<Journal.Op> filler = new ArrayList<>();
        for (int i = 0; filler.size() < Journal.MIN_COMPACT; i++) {
            Attachment other = new Attachment(Fakes.VOLUME2, "fill" + i);
            filler.add(Journal.Op.add(HASH, other));
            filler.add(Journal.Op.remove(HASH, other));
        }
        j.append(filler); // crosses the compaction threshold
        assertTrue(queued[0] > 0, "the compaction ran");
        j.fault(null);
        j.await(queued[0]);
        assertEquals(List.of("A", "R", "R"), Files.readAllLines(tmp.resolve("attachments.journal.log")).stream()
                .map(l -> l.substring(0, 1)).toList());
        assertEquals(Set.of(), reread(), "nothing attached, and the journal is readable");
        add(j, "vm3");
        assertEquals(Set.of(new Attachment(Fakes.VOLUME1, "vm3")), reread());
        // still refused: such a line in the snapshot, or one that is not a fact at all
        Files.write(tmp.resolve("attachments.journal"), List.of(Journal.HEADER, "A " + HASH + " " + Fakes.VOLUME1 + " vm1"));
        Files.write(tmp.resolve("attachments.journal.log"), new byte[0]);
        assertThrows(IOException.class, this::reread);
        Files.write(tmp.resolve("attachments.journal"), List.of(Journal.HEADER));
        Files.writeString(tmp.resolve("attachments.journal.log"), Journal.withCrc("A " + HASH + " ../x vm1") + "\n"
                + Journal.withCrc("A " + HASH + " " + Fakes.VOLUME1 + " vm1") + "\n");
        assertThrows(IOException.class, this::reread);
    }

    @Test
    void aFailedWriteIsRepairedByTheNextAwaitWithASnapshotOfTheLiveState() throws Exception {
        Journal j = journal();
        add(j, "vm1");
        add(j, "vm2");
        java.util.concurrent.atomic.AtomicInteger faults = new java.util.concurrent.atomic.AtomicInteger();
        j.fault(step -> {
            faults.incrementAndGet();
            throw new IOException("disk full");
        });
        assertThrows(IOException.class, () -> remove(j, "vm1"), "the removal could not be made durable");
        assertTrue(j.isBroken());
        // while the disk stays full, the repair fails too and the journal stays broken
        assertThrows(IOException.class, () -> add(j, "vm3"));
        assertTrue(j.isBroken());
        assertEquals(2, faults.get(), "the second await tried a snapshot");
        j.fault(null);
        add(j, "vm4"); // no restart: the next await writes a fresh snapshot, then appends
        assertFalse(j.isBroken());
        assertEquals(1, j.recoveries());
        Set<Attachment> expected = Set.of(new Attachment(Fakes.VOLUME1, "vm2"), new Attachment(Fakes.VOLUME1, "vm3"),
                new Attachment(Fakes.VOLUME1, "vm4"));
        assertEquals(expected, live);
        assertEquals(expected, reread(), "a crash now recovers exactly the in-memory state: vm1 stays removed");
        remove(j, "vm3");
        assertEquals(Set.of(new Attachment(Fakes.VOLUME1, "vm2"), new Attachment(Fakes.VOLUME1, "vm4")), reread());
        j.close();
    }

    @Test
    void aFailedCompactionDoesNotFailTheDurableBatchAndIsRepairedNext() throws Exception {
        Journal j = new Journal(tmp.resolve("attachments.journal"), this::state, false); // thousands of appends: no fsync
        j.open();
        j.fault(step -> {
            if (step.equals("snapshot")) {
                throw new IOException("disk full");
            }
        });
        for (int i = 0; !j.isBroken(); i++) {
            add(j, "vm" + i); // never throws: each batch is durable in the log
            if (!j.isBroken()) {
                remove(j, "vm" + i);
            }
        }
        assertEquals(live, reread(), "every batch is in the log");
        assertThrows(IOException.class, () -> add(j, "refused"), "the repair fails while the fault lasts");
        j.fault(null);
        add(j, "last");
        assertFalse(j.isBroken());
        assertEquals(live, reread());
        assertTrue(reread().contains(new Attachment(Fakes.VOLUME1, "last")));
        j.close();
    }

    @Test
    void aFollowIsOneLineThatMovesTheAttachmentOnReplay() throws Exception {
        Journal j = journal();
        add(j, "vm1");
        add(j, "vm2");
        String snap = Fakes.VOLUME1 + "." + Fakes.UUID2;
        Attachment vm1 = new Attachment(Fakes.VOLUME1, "vm1");
        j.append(List.of(Journal.Op.follow(HASH, vm1, snap)));
        List<String> log = Files.readAllLines(tmp.resolve("attachments.journal.log"));
        assertTrue(log.get(log.size() - 1).startsWith("F " + HASH + " " + Fakes.VOLUME1 + " " + snap + " vm1 "), log.toString());
        Set<Attachment> moved = Set.of(new Attachment(snap, "vm1"), new Attachment(Fakes.VOLUME1, "vm2"));
        assertEquals(moved, reread());
        // replayed again over a snapshot that has it already (a crash between snapshot and log reset): the same
        live.clear();
        live.addAll(moved);
        j.close();
        Files.writeString(tmp.resolve("attachments.journal.log"), String.join("\n", log) + "\n");
        assertEquals(moved, reread());
    }

    @Test
    void aFollowLineIsRefusedWhereItCannotBe() throws Exception {
        String f = "F " + HASH + " " + Fakes.VOLUME1 + " " + Fakes.VOLUME2 + " vm1";
        // in a snapshot, which lists attachments under their current names
        Files.write(tmp.resolve("attachments.journal"), List.of(Journal.HEADER, "M " + HASH + " " + EXPORT, f));
        Files.write(tmp.resolve("attachments.journal.log"), new byte[0]);
        assertThrows(IOException.class, this::reread);
        // naming what no attachment can be
        Files.write(tmp.resolve("attachments.journal"), List.of(Journal.HEADER, "M " + HASH + " " + EXPORT));
        for (String bad : new String[] { "F " + HASH + " ../x " + Fakes.VOLUME2 + " vm1", "F " + HASH + " " + Fakes.VOLUME1 + " a/b vm1",
            "F " + HASH + " " + Fakes.VOLUME1 + " " + Fakes.VOLUME2 }) {
            Files.writeString(tmp.resolve("attachments.journal.log"), Journal.withCrc(bad) + "\n" + Journal.withCrc(f) + "\n");
            assertThrows(IOException.class, this::reread, bad);
        }
        // for a directory that emptied out across a compaction: skipped like A and R
        Files.write(tmp.resolve("attachments.journal"), List.of(Journal.HEADER));
        Files.writeString(tmp.resolve("attachments.journal.log"), Journal.withCrc(f) + "\n");
        assertEquals(Set.of(), reread());
    }

    @Test
    void aJournalOfFormatTwoIsRead() throws Exception {
        Files.write(tmp.resolve("attachments.journal"), List.of("volumedriver-quobyte-journal 2", "M " + HASH + " " + EXPORT,
                "C " + HASH + " 0:52 0", "A " + HASH + " " + Fakes.VOLUME1 + " vm1"));
        List<Journal.Entry> read = new Journal(tmp.resolve("attachments.journal"), List::of).read();
        assertEquals(Set.of(new Attachment(Fakes.VOLUME1, "vm1")), read.get(0).attachments());
        assertEquals("0:52", read.get(0).connection());
    }
}
