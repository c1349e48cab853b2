package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.UUID2;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME2;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeLocation;

/**
 * {@code follow} (SPI 1.3): after an assisted snapshot switched a guest to a new active file, the
 * attachment is recorded under that file, journaled in one line, and everything that counts
 * attachments sees it there: the last disconnect, a restart, a reconciliation.
 */
class FollowTest extends FakeHostFixture {

    static final String SNAP = VOLUME1 + "." + UUID2;
    static final String GUEST = "3f1e9d2c-5b4a-4c3d-8e2f-1a2b3c4d5e6f";

    VolumeLocation from;
    Attachment guest;

    @BeforeEach
    void setUp() {
        from = new VolumeLocation(dir.toString(), VOLUME1);
        guest = new Attachment(VOLUME1, GUEST);
    }

    /** Connects the guest to volume 1 and writes the new active file an assisted snapshot would make. */
    QuobyteEngine connected() throws Exception {
        QuobyteEngine e = engine();
        filesOnMount(512, VOLUME1, SNAP);
        e.connect(info(EXPORT, VOLUME1), guest);
        return e;
    }

    List<String> logLines(String kind) throws IOException {
        Path log = base.resolve(QuobyteEngine.STATE_DIR).resolve("attachments.journal.log");
        return Files.readAllLines(log).stream().filter(l -> l.startsWith(kind + " ")).toList();
    }

    @Test
    void theFollowedNameIsTheOneTheLastDisconnectGivesUp() throws Exception {
        QuobyteEngine e = connected();
        Attachment other = new Attachment(VOLUME1, "vm2");
        e.connect(info(EXPORT, VOLUME1), other);
        assertTrue(e.follow(from, SNAP, guest));
        assertEquals(1, logLines("F").size(), "one journal line");
        assertEquals(Set.of(other, new Attachment(SNAP, GUEST)), Set.copyOf(e.mounts().get(0).attachments()));
        assertEquals(DisconnectOutcome.NOT_ATTACHED, e.disconnect(info(EXPORT, VOLUME1), guest), "the old name is no longer attached");
        assertEquals(DisconnectOutcome.STILL_IN_USE, e.disconnect(info(EXPORT, VOLUME1), other));
        assertTrue(table.isMounted(dir.toString()));
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, SNAP), new Attachment(SNAP, GUEST)));
        assertFalse(table.isMounted(dir.toString()), "unmounted after the last attachment, under its followed name");
    }

    @Test
    void aRestartKeepsTheFollowedNameAndAReconciliationFindsItRecorded() throws Exception {
        QuobyteEngine e = connected();
        assertTrue(e.follow(from, SNAP, guest));
        // a crash now: the journal as the next start reads it, the log's lines replayed
        Path journal = base.resolve(QuobyteEngine.STATE_DIR).resolve("attachments.journal");
        assertEquals(Set.of(new Attachment(SNAP, GUEST)), new Journal(journal, List::of).read().get(0).attachments());
        e.close();
        QuobyteEngine again = engine();
        assertTrue(again.isAttached(new Attachment(SNAP, GUEST)), "replayed from the journal");
        assertFalse(again.isAttached(guest));
        VolumeLocation where = again.ownerOf(dir.resolve(SNAP)).orElseThrow();
        assertEquals(new VolumeLocation(dir.toString(), SNAP), where);
        int calls = mounter.calls.size();
        assertFalse(again.adopt(where, new Attachment(SNAP, GUEST)), "already recorded: nothing to adopt");
        assertEquals(calls, mounter.calls.size());
        // and back again, as the undo of a failed snapshot does
        assertTrue(again.follow(where, VOLUME1, new Attachment(SNAP, GUEST)));
        assertTrue(again.isAttached(guest));
    }

    @Test
    void aSecondFollowChangesNothing() throws Exception {
        QuobyteEngine e = connected();
        assertTrue(e.follow(from, SNAP, guest));
        int lines = logLines("F").size();
        assertFalse(e.follow(from, SNAP, guest), "idempotent: recorded under the new name, not the old");
        assertFalse(e.follow(new VolumeLocation(dir.toString(), VOLUME2), SNAP, new Attachment(VOLUME2, GUEST)), "never recorded");
        assertFalse(e.follow(new VolumeLocation(base.resolve(MountLayout.hash("h/other")).toString(), VOLUME1), SNAP, guest),
                "a directory without a record");
        assertEquals(lines, logLines("F").size());
    }

    @Test
    void badInputIsATypedRefusalThatChangesNothing() throws Exception {
        QuobyteEngine e = connected();
        for (String to : new String[] { "../" + SNAP, "/" + SNAP, "a/b", "..", "-x", "passwd", "" }) {
            assertEquals(AttachmentFollow.FIELD, assertThrows(InvalidConnectionInfoException.class, () -> e.follow(from, to, guest)).field(), to);
        }
        assertEquals(AttachmentFollow.FIELD, assertThrows(InvalidConnectionInfoException.class, () -> e.follow(from, VOLUME1, guest)).field());
        assertEquals("attachment.volume", assertThrows(InvalidConnectionInfoException.class,
                () -> e.follow(from, SNAP, new Attachment(VOLUME2, GUEST))).field());
        assertThrows(InvalidConnectionInfoException.class, () -> e.follow(from, SNAP, null));
        assertThrows(InvalidConnectionInfoException.class, () -> e.follow(null, SNAP, guest));
        assertThrows(UnsafePathException.class, () -> e.follow(new VolumeLocation(tmp.toString(), VOLUME1), SNAP, guest));
        assertThrows(UnsafePathException.class, () -> e.follow(new VolumeLocation(base.resolve("x").toString(), VOLUME1), SNAP, guest));
        assertTrue(e.isAttached(guest));
        assertEquals(List.of(), logLines("F"));
    }

    @Test
    void aMoveThatCannotBeJournaledIsUndone() throws Exception {
        QuobyteEngine e = connected();
        e.journal().fault(step -> {
            throw new IOException("disk full");
        });
        VolumeDriverException failed = assertThrows(VolumeDriverException.class, () -> e.follow(from, SNAP, guest));
        assertEquals("JOURNAL_FAILED", failed.code());
        assertTrue(e.isAttached(guest));
        assertFalse(e.isAttached(new Attachment(SNAP, GUEST)));
        e.journal().fault(null);
        e.close();
        QuobyteEngine again = engine();
        assertTrue(again.isAttached(guest), "the journal, repaired, has the attachment where it was");
        assertFalse(again.isAttached(new Attachment(SNAP, GUEST)));
    }
}
