package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.UnsupportedFormatException;

class VolumeValidatorTest {

    static final Pattern NAMES = Pattern.compile(Settings.DEFAULT_NAME_PATTERN);

    @Test
    void md5TestVectorOfNovaCinderAndOsBrick() {
        assertEquals("c94ed34ada0acf45c1213beb1fc52ce6", MountLayout.hash("192.168.1.1/volume-00001"));
    }

    @Test
    void acceptsTheGrammar() throws Exception {
        String[] good = {
            "quobyte://192.168.1.1/volume-00001",
            "192.168.1.1/volume-00001",
            "reg1:7861,reg2:7861,reg3/vol",
            "[fe80::1]:7861/vol",
            "[2001:db8::1],[::1]/vol",
            "_quobyte._tcp.example.org/vol",
            "registry.example.org:65535/6f2c0a4e-3c1b-4d5e-9f00-123456789abc",
            "a/" + "v".repeat(128),
            "r1,r2,r3,r4,r5,r6,r7,r8,r9,r10,r11,r12,r13,r14,r15,r16/v",
        };
        for (String g : good) {
            ExportSpec s = VolumeValidator.parseExport(g);
            assertEquals(g.startsWith("quobyte://") ? g.substring(10) : g, s.stripped());
        }
        assertEquals(List.of("reg1:7861", "reg2:7861", "reg3"), VolumeValidator.parseExport("reg1:7861,reg2:7861,reg3/vol").registries());
        assertEquals("vol", VolumeValidator.parseExport("reg1/vol").volume());
    }

    @Test
    void refusesEverythingElseNamingTheField() {
        String[] bad = {
            "", "quobyte://", "noslash", "/vol", "host/", "host/a/b", "host/..", "host/.", "host/-vol", "host/.hidden",
            "-host/vol", "host/vol;reboot", "host/vol|x", "host/vol`id`", "host/$(id)", "host/vol&", "host/v'ol", "host/v\"ol",
            "host/v ol", "host/v\tol", "host/v\nol", "host/v\u0000ol", "hóst/vol", "host/vol\u00e9", "user@host/vol", "host#x/vol",
            "host\\x/vol", "quobyte://quobyte://host/vol", "host:0/vol", "host:65536/vol", "host:+1/vol", "host:007/vol",
            "host:/vol", "host:1:2/vol", "256.1.1.1/vol", "1.2.3/vol", "01.2.3.4/vol", "-a.example/vol", "a-.example/vol",
            "a..example/vol", "a.example./vol", "[fe80::1/vol", "[fe80::g]/vol", "[fe80::1%eth0]/vol", "fe80::1/vol",
            "[::1]x/vol", ",host/vol", "host,/vol", "a".repeat(64) + "/vol", ("a".repeat(60) + ".").repeat(5) + "com/vol",
            "a/" + "v".repeat(129), "r1,r2,r3,r4,r5,r6,r7,r8,r9,r10,r11,r12,r13,r14,r15,r16,r17/v", "host/vol\u007f",
            "ho_st/vol", "host/v*", "host/v?", "host/~root",
        };
        for (String b : bad) {
            InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class, () -> VolumeValidator.parseExport(b), b);
            assertEquals("data.export", e.field());
        }
    }

    @Test
    void formatIsExactAndCaseSensitive() throws Exception {
        assertEquals("raw", VolumeValidator.checkFormat("raw"));
        assertEquals("qcow2", VolumeValidator.checkFormat("qcow2"));
        for (String f : new String[] { "Raw", "QCOW2", "vmdk", "qcow", "raw ", "", "iso" }) {
            assertThrows(UnsupportedFormatException.class, () -> VolumeValidator.checkFormat(f), f);
        }
    }

    @Test
    void volumeNamesFollowCindersPatternAndStayInside() throws Exception {
        Path dir = Path.of("/base/c94ed34ada0acf45c1213beb1fc52ce6");
        String uuid = "6f2c0a4e-3c1b-4d5e-9f00-123456789abc";
        for (String ok : new String[] { "volume-" + uuid, "volume-" + uuid + "." + uuid, "volume-" + uuid + ".tmp-snap-" + uuid }) {
            assertEquals(dir.resolve(ok), VolumeValidator.resolveName(ok, NAMES, dir));
        }
        String[] bad = { "../../etc/shadow", "/etc/shadow", "..", ".", "volume-" + uuid + "/x", "volume-x", "-volume-" + uuid,
            "volume-" + uuid + ".bak", "volume-" + uuid + "\n", "" };
        for (String b : bad) {
            InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class, () -> VolumeValidator.resolveName(b, NAMES, dir), b);
            assertEquals("data.name", e.field());
        }
    }

    @Test
    void containmentIsComponentWiseNotByStringPrefix() {
        // a permissive pattern that lets '..' through must still not escape: components are compared
        Pattern loose = Pattern.compile(".*");
        Path dir = Path.of("/base/ab");
        assertThrows(InvalidConnectionInfoException.class, () -> VolumeValidator.resolveName("../abc", loose, dir));
        assertThrows(InvalidConnectionInfoException.class, () -> VolumeValidator.resolveName("..", loose, dir));
        Path sibling = Path.of("/base/abc/file");
        assertTrue(sibling.toString().startsWith(dir.toString()), "a string prefix check would accept this");
        assertTrue(!sibling.startsWith(dir), "Path.startsWith does not");
    }

    @Test
    void unsafePathExceptionIsTyped() {
        assertEquals("UNSAFE_PATH", new UnsafePathException("x", "y").code());
    }
}
