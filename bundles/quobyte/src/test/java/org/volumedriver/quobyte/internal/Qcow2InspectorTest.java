package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.spi.UnsafePathException;

class Qcow2InspectorTest {

    static final Pattern NAMES = Pattern.compile(Settings.DEFAULT_NAME_PATTERN);

    @TempDir
    Path dir;

    /** A minimal qcow2 header: version, incompatible features, optional backing name and extensions. */
    static byte[] header(int version, long incompatible, String backing) {
        return header(version, incompatible, backing, 0, null);
    }

    static byte[] header(int version, long incompatible, String backing, int extType, byte[] extData) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        b.putInt(0, Qcow2Inspector.MAGIC);
        b.putInt(4, version);
        int headerLength = version == 3 ? 104 : 72;
        int pos = headerLength;
        if (version == 3) {
            b.putLong(72, incompatible);
            b.putInt(100, headerLength);
        }
        if (extType != 0) {
            b.putInt(pos, extType);
            b.putInt(pos + 4, extData.length);
            b.put(pos + 8, extData);
            pos += 8 + ((extData.length + 7) & ~7);
        }
        b.putInt(pos, 0);
        b.putInt(pos + 4, 0);
        if (backing != null) {
            byte[] name = backing.getBytes(StandardCharsets.US_ASCII);
            b.putLong(8, 1024);
            b.putInt(16, name.length);
            b.put(1024, name);
        }
        return b.array();
    }

    Path write(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void acceptsPlainImages() throws Exception {
        assertDoesNotThrow(() -> Qcow2Inspector.check(write(Fakes.VOLUME1, header(3, 0, null)), "qcow2", NAMES));
        assertDoesNotThrow(() -> Qcow2Inspector.check(write(Fakes.VOLUME1, header(2, 0, null)), "qcow2", NAMES));
        assertDoesNotThrow(() -> Qcow2Inspector.check(write(Fakes.VOLUME1, header(3, Qcow2Inspector.INCOMPAT_DIRTY, null)), "qcow2", NAMES));
        assertDoesNotThrow(() -> Qcow2Inspector.check(write(Fakes.VOLUME1, new byte[512]), "raw", NAMES));
    }

    @Test
    void acceptsBackingFileInTheSameDirectoryMatchingThePattern() throws Exception {
        write(Fakes.VOLUME2, new byte[512]);
        Path top = write(Fakes.VOLUME1 + "." + Fakes.UUID2, header(3, 0, Fakes.VOLUME2));
        assertDoesNotThrow(() -> Qcow2Inspector.check(top, "qcow2", NAMES));
        Path top2 = write(Fakes.VOLUME1, header(3, 0, dir.resolve(Fakes.VOLUME2).toString()));
        assertDoesNotThrow(() -> Qcow2Inspector.check(top2, "qcow2", NAMES));
    }

    @Test
    void refusesBadHeaders() throws Exception {
        Object[][] cases = {
            { header(1, 0, null), "version" },
            { header(4, 0, null), "version" },
            { header(3, Qcow2Inspector.INCOMPAT_DATA_FILE, null), "data file" },
            { header(3, Qcow2Inspector.INCOMPAT_CORRUPT, null), "corrupt" },
            { header(3, 1L << 7, null), "unknown incompatible" },
            { header(3, 0, "/etc/shadow"), "outside" },
            { header(3, 0, "../" + Fakes.VOLUME2), "pattern" },
            { header(3, 0, "json:{\"file\":\"/etc/shadow\"}"), "pattern" },
            { header(3, 0, "nbd://evil/x"), "pattern" },
            { header(3, 0, "other-file"), "pattern" },
            { header(3, 0, null, Qcow2Inspector.EXT_DATA_FILE, "/dev/sda".getBytes(StandardCharsets.US_ASCII)), "data file" },
            { header(3, 0, Fakes.VOLUME2, Qcow2Inspector.EXT_BACKING_FORMAT, "vmdk".getBytes(StandardCharsets.US_ASCII)), "format" },
            { new byte[] { 'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3 }, "truncated" },
            { new byte[512], "no qcow2 header" },
        };
        write(Fakes.VOLUME2, new byte[512]);
        for (Object[] c : cases) {
            Path p = write(Fakes.VOLUME1, (byte[]) c[0]);
            UnsafeImageException e = assertThrows(UnsafeImageException.class, () -> Qcow2Inspector.check(p, "qcow2", NAMES), (String) c[1]);
            assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
        }
    }

    @Test
    void refusesAnUnsafeBackingChain() throws Exception {
        // the backing file itself names /etc/shadow: the whole chain is inspected
        write(Fakes.VOLUME2, header(3, 0, "/etc/shadow"));
        Path top = write(Fakes.VOLUME1, header(3, 0, Fakes.VOLUME2));
        assertThrows(UnsafeImageException.class, () -> Qcow2Inspector.check(top, "qcow2", NAMES));
        // a loop
        write(Fakes.VOLUME2, header(3, 0, Fakes.VOLUME1));
        assertThrows(UnsafeImageException.class, () -> Qcow2Inspector.check(top, "qcow2", NAMES));
        // a symlinked backing file
        Files.delete(dir.resolve(Fakes.VOLUME2));
        Files.createSymbolicLink(dir.resolve(Fakes.VOLUME2), Path.of("/etc/passwd"));
        assertThrows(UnsafePathException.class, () -> Qcow2Inspector.check(top, "qcow2", NAMES));
    }

    @Test
    void aBackingFileWithoutDeclaredFormatMustNotLookLikeAnotherImageFormat() throws Exception {
        // qemu probes an undeclared backing file: a vmdk descriptor in a "raw" volume could name /etc/shadow
        byte[] vdi = new byte[512];
        ByteBuffer.wrap(vdi).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(64, 0xbeda107f);
        Object[][] foreign = {
            { ascii("# Disk DescriptorFile\nversion=1\nRW 8 FLAT \"/etc/shadow\" 0\n"), "vmdk (descriptor)" },
            { ascii("KDMV\u0001\u0000\u0000\u0000"), "vmdk" },
            { ascii("COWD"), "vmdk (VMware 3)" },
            { ascii("vhdxfile"), "vhdx" },
            { ascii("conectix"), "vpc" },
            { new byte[] { 'Q', 'E', 'D', 0, 1 }, "qed" },
            { vdi, "vdi" },
            { ascii("Bochs Virtual HD Image\u0000"), "bochs" },
            { ascii("WithoutFreeSpace"), "parallels" },
            { new byte[] { 'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe, 0, 1 }, "luks" },
            { ascii("#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0\n"), "cloop" },
        };
        Path top = write(Fakes.VOLUME1, header(3, 0, Fakes.VOLUME2));
        Path declaredRaw = write(Fakes.VOLUME1 + "." + Fakes.UUID2,
                header(3, 0, Fakes.VOLUME2, Qcow2Inspector.EXT_BACKING_FORMAT, "raw".getBytes(StandardCharsets.US_ASCII)));
        for (Object[] f : foreign) {
            write(Fakes.VOLUME2, (byte[]) f[0]);
            UnsafeImageException e = assertThrows(UnsafeImageException.class, () -> Qcow2Inspector.check(top, "qcow2", NAMES), (String) f[1]);
            assertTrue(e.getMessage().contains("looks like " + f[1] + ","), e.getMessage());
            // declared raw, qemu opens it as raw whatever it contains
            assertDoesNotThrow(() -> Qcow2Inspector.check(declaredRaw, "qcow2", NAMES), (String) f[1]);
        }
        // ordinary raw data, also text that only resembles a descriptor, stays a raw backing file
        for (byte[] raw : new byte[][] { new byte[512], ascii("version=12\n"), ascii("# comment\nname=version=1\n"), new byte[0] }) {
            write(Fakes.VOLUME2, raw);
            assertDoesNotThrow(() -> Qcow2Inspector.check(top, "qcow2", NAMES));
        }
        // qemu's dmg driver claims a file by its name alone
        Pattern anyName = Pattern.compile("[a-z0-9.-]+");
        write("base.dmg", new byte[512]);
        Path onDmg = write("top", header(3, 0, "base.dmg"));
        UnsafeImageException dmg = assertThrows(UnsafeImageException.class, () -> Qcow2Inspector.check(onDmg, "qcow2", anyName));
        assertTrue(dmg.getMessage().contains("dmg"), dmg.getMessage());
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void refusesMissingAndSpecialFiles() throws Exception {
        assertThrows(InvalidConnectionInfoException.class, () -> Qcow2Inspector.check(dir.resolve(Fakes.VOLUME1), "raw", NAMES));
        Files.createDirectory(dir.resolve(Fakes.VOLUME1));
        assertThrows(UnsafePathException.class, () -> Qcow2Inspector.check(dir.resolve(Fakes.VOLUME1), "raw", NAMES));
    }

    @Test
    void inspectionTellsTheHeadersFormatSizesAndDirectBackingFile() throws Exception {
        Path raw = write(Fakes.VOLUME2, new byte[4096]);
        assertEquals(new Qcow2Inspector.Image("raw", 4096, 4096, null, null), Qcow2Inspector.inspect(raw, NAMES, "file"));

        byte[] declared = header(3, 0, dir.resolve(Fakes.VOLUME2).toString(), Qcow2Inspector.EXT_BACKING_FORMAT,
                "raw".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer.wrap(declared).putLong(24, 1L << 30);
        Qcow2Inspector.Image top = Qcow2Inspector.inspect(write(Fakes.VOLUME1, declared), NAMES, "file");
        assertEquals(new Qcow2Inspector.Image("qcow2", 1L << 30, 4096, Fakes.VOLUME2, "raw"), top,
                "an absolute backing name in the same directory is given as its file name");
        assertFalse(top.backingFormatUndeclared());

        Qcow2Inspector.Image undeclared = Qcow2Inspector.inspect(write(Fakes.VOLUME1, header(2, 0, Fakes.VOLUME2)), NAMES, "file");
        assertEquals(Fakes.VOLUME2, undeclared.backingName());
        assertTrue(undeclared.backingFormatUndeclared());
    }

    @Test
    void inspectionRefusesWhatACheckRefusesNamingTheField() throws Exception {
        byte[] huge = header(3, 0, null);
        ByteBuffer.wrap(huge).putLong(24, -1);
        Path p = write(Fakes.VOLUME1, huge);
        assertTrue(assertThrows(UnsafeImageException.class, () -> Qcow2Inspector.inspect(p, NAMES, "file")).getMessage()
                .contains("virtual size"));
        write(Fakes.VOLUME1, header(3, Qcow2Inspector.INCOMPAT_DATA_FILE, null));
        assertThrows(UnsafeImageException.class, () -> Qcow2Inspector.inspect(p, NAMES, "file"));
        write(Fakes.VOLUME1, header(3, 0, "../other/" + Fakes.VOLUME2));
        assertThrows(UnsafeImageException.class, () -> Qcow2Inspector.inspect(p, NAMES, "file"));
        Files.delete(p);
        assertEquals("file", assertThrows(InvalidConnectionInfoException.class, () -> Qcow2Inspector.inspect(p, NAMES, "file")).field());
        Files.createSymbolicLink(p, Path.of("/etc/passwd"));
        assertThrows(UnsafePathException.class, () -> Qcow2Inspector.inspect(p, NAMES, "file"));
    }
}
