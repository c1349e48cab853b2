package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void invalidValuesAreRefused() throws Exception {
        Files.writeString(tmp.resolve("attachments.journal"), Journal.HEADER + "\nM " + HASH + " other/export\n");
        assertThrows(IOException.class, this::reread);
        Files.writeString(tmp.resolve("attachments.journal"), Journal.HEADER + "\nM " + HASH + " " + EXPORT + "\nA " + HASH + " ../x vm1\n");
        assertThrows(IOException.class, this::reread);
        List<String> ok = new ArrayList<>(List.of(Journal.HEADER, "M " + HASH + " " + EXPORT, "A " + HASH + " " + Fakes.VOLUME1 + " vm1"));
        Files.write(tmp.resolve("attachments.journal"), ok);
        assertEquals(1, reread().size());
    }
}
