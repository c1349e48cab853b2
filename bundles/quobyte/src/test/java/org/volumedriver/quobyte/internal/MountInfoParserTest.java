package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class MountInfoParserTest {

    static final String QUOBYTE = "63 43 0:39 / /var/lib/nova/mnt/c94ed34ada0acf45c1213beb1fc52ce6 rw,nosuid,nodev,relatime shared:40 - "
            + "fuse.quobyte quobyte@192.168.1.1/volume-00001 rw,user_id=0,group_id=0";

    @Test
    void parsesAQuobyteEntry() throws Exception {
        MountEntry e = MountInfoParser.parse(QUOBYTE + "\n").get(0);
        assertEquals(63, e.id());
        assertEquals(43, e.parentId());
        assertEquals("0:39", e.device());
        assertEquals("/var/lib/nova/mnt/c94ed34ada0acf45c1213beb1fc52ce6", e.mountPoint());
        assertEquals("fuse.quobyte", e.fsType());
        assertEquals("quobyte@192.168.1.1/volume-00001", e.source());
        assertTrue(e.isQuobyte(false));
        assertFalse(e.deleted());
    }

    @Test
    void multiRegistrySourcesAreNeverComparedWithTheExport() throws Exception {
        MountEntry e = MountInfoParser.parse("70 43 0:40 / /m/abc rw - fuse.quobyte quobyte@reg1:7861|reg2:7861/vol rw\n").get(0);
        assertEquals("quobyte@reg1:7861|reg2:7861/vol", e.source());
        assertTrue(e.isQuobyte(false), "recognised by fstype alone");
    }

    @Test
    void legacyFuseNeedsTheSwitchAndTheQuobyteSource() throws Exception {
        List<MountEntry> es = MountInfoParser.parse("""
                70 43 0:40 / /m/a rw - fuse quobyte@reg/vol rw
                71 43 0:41 / /m/b rw - fuse sshfs#host: rw
                72 43 0:42 / /m/c rw - fuse.sshfs quobyte@x/y rw
                """);
        assertFalse(es.get(0).isQuobyte(false));
        assertTrue(es.get(0).isQuobyte(true));
        assertFalse(es.get(1).isQuobyte(true));
        assertFalse(es.get(2).isQuobyte(true), "a source text alone never makes a Quobyte mount");
    }

    @Test
    void decodesOctalEscapes() throws Exception {
        MountEntry e = MountInfoParser.parse("80 1 8:1 /a\\134b /mnt/with\\040space\\011tab\\012nl rw - ext4 /dev/sda1 rw\n").get(0);
        assertEquals("/mnt/with space\ttab\nnl", e.mountPoint());
        assertEquals("/a\\b", e.root());
    }

    @Test
    void deletedMountPointsAreMarkedAndNeverMatch() throws Exception {
        List<MountEntry> es = MountInfoParser.parse("90 1 0:50 / /m/c94ed34ada0acf45c1213beb1fc52ce6\\040(deleted) rw - fuse.quobyte quobyte@h/v rw\n");
        assertTrue(es.get(0).deleted());
        assertEquals("/m/c94ed34ada0acf45c1213beb1fc52ce6", es.get(0).mountPoint());
        assertTrue(MountTable.visibleAt(es, "/m/c94ed34ada0acf45c1213beb1fc52ce6").isEmpty());
    }

    @Test
    void optionalFieldsAreSkipped() throws Exception {
        MountEntry e = MountInfoParser.parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:2 propagate_from:3 - ext3 /dev/root rw,errors=continue\n").get(0);
        assertEquals("ext3", e.fsType());
        assertEquals("/dev/root", e.source());
    }

    @Test
    void theLastEntryAtAMountPointIsTheVisibleOne() throws Exception {
        List<MountEntry> es = MountInfoParser.parse("""
                1 0 0:1 / /m/d rw - fuse.quobyte quobyte@a/b rw
                2 1 0:2 / /m/d rw - tmpfs tmpfs rw
                """);
        assertEquals("tmpfs", MountTable.visibleAt(es, "/m/d").orElseThrow().fsType());
        assertTrue(MountTable.visibleAt(es, "/m/d/").isEmpty(), "exact match only");
        assertTrue(MountTable.visibleAt(es, "/m").isEmpty());
    }

    @Test
    void malformedLinesFailTheWholeTableWithoutEchoingThem() {
        String[] bad = {
            "63 43 0:39 / /m rw",                                         // too few fields
            "63 43 0:39 / /m rw shared:1 fuse.quobyte src rw extra x",    // no separator
            "x 43 0:39 / /m rw - fuse.quobyte src rw",                    // id not a number
            "63 43 039 / /m rw - fuse.quobyte src rw",                    // major:minor
            "63 43 0:39 / /m rw - fuse.quobyte src",                      // 2 fields after separator
            "63 43 0:39 / /m rw - fuse.quobyte src rw more",              // 4 fields after separator
            "63 43 0:39 / /m\\04 rw - fuse.quobyte src rw",               // truncated escape
            "63 43 0:39 / /m\\049x rw - fuse.quobyte src rw",             // non-octal escape
            "63 43 0:39 / /m\\777 rw - fuse.quobyte src rw",              // escape above 0xff
            "63 43 0:39 / m rw - fuse.quobyte src rw",                    // relative mount point
            "63  43 0:39 / /m rw - fuse.quobyte src rw",                  // empty field
            "63 43 0:39 / /m\u0001 rw - fuse.quobyte src rw",             // raw control character
            "99999999999 43 0:39 / /m rw - fuse.quobyte src rw",          // overflow
        };
        for (String line : bad) {
            String secretLine = line.replace("src", "src-password=hunter2");
            MountInfoParser.MalformedMountTableException e = assertThrows(MountInfoParser.MalformedMountTableException.class,
                    () -> MountInfoParser.parse(QUOBYTE + "\n" + secretLine + "\n"), line);
            assertTrue(e.getMessage().startsWith("mount table line 2:"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"));
        }
        assertThrows(MountInfoParser.MalformedMountTableException.class, () -> MountInfoParser.parse(QUOBYTE + "\n\n" + QUOBYTE));
    }

    @Test
    void anEmptyMountSourceIsValidKernelOutput() throws Exception {
        // what the kernel prints after mount -t tmpfs "" /x: a user who may mount must not make the table unreadable
        List<MountEntry> es = MountInfoParser.parse("101 43 0:60 / /x rw,relatime shared:50 - tmpfs  rw,inode64\n"
                + QUOBYTE + "\n"
                + "102 43 0:61 / /y rw - fuse.quobyte  rw\n");
        assertEquals(3, es.size());
        assertEquals("", es.get(0).source());
        assertEquals("tmpfs", es.get(0).fsType());
        assertEquals("rw,inode64", es.get(0).superOptions());
        assertTrue(MountTable.visibleAt(es, "/var/lib/nova/mnt/c94ed34ada0acf45c1213beb1fc52ce6").orElseThrow().isQuobyte(false),
                "the Quobyte entry in the same table is still found");
        assertEquals("", es.get(2).source());
        assertTrue(es.get(2).isQuobyte(false), "recognised by fstype, the source is never trusted");
    }

    @Test
    void onlyTheMountSourceMayBeEmpty() {
        // a malformed line still fails the whole table (a half-understood table must never read as "not mounted")
        String[] bad = {
            "63 43 0:39 / /m rw - fuse.quobyte src ",                     // empty super options
            "63 43 0:39 / /m rw - fuse.quobyte  ",                        // empty source and super options
            "63 43 0:39 / /m rw -  src rw",                               // empty fstype
            "63 43 0:39 /  rw - tmpfs src rw",                            // empty mount point
            "63 43 0:39 / /m  - tmpfs src rw",                            // empty options
            "63 43 0:39 / /m rw  - tmpfs src rw",                         // empty field before the separator
            "63 43 0:39 / /m rw -  rw",                                   // too few fields after the separator
            "63 43 0:39 / /m rw - tmpfs   rw",                            // two empty fields
        };
        for (String line : bad) {
            MountInfoParser.MalformedMountTableException e = assertThrows(MountInfoParser.MalformedMountTableException.class,
                    () -> MountInfoParser.parse(QUOBYTE + "\n" + line + "\n"), line);
            assertTrue(e.getMessage().startsWith("mount table line 2:"), e.getMessage());
        }
    }

    @Test
    void parsesTheRealTableOfThisProcess() throws Exception {
        List<MountEntry> es = new MountTable.Proc().read();
        assertTrue(es.stream().anyMatch(e -> e.mountPoint().equals("/")));
        assertTrue(MountTable.visibleAt(es, Path.of("/proc").toString()).isPresent());
    }

    @Test
    void emptyTableIsEmpty() throws Exception {
        assertTrue(MountInfoParser.parse("").isEmpty());
    }
}
