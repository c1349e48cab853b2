package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.testsupport.RealTests;

/**
 * The images of {@link Qcow2InspectorTest}, made and judged by qemu itself: {@code qemu-img}
 * (Debian package qemu-utils) creates the chain, and its own probing shows what a guest would get.
 */
class Qcow2QemuTest {

    static final Path QEMU_IMG = Path.of("/usr/bin/qemu-img");
    static final Pattern NAMES = Pattern.compile(Settings.DEFAULT_NAME_PATTERN);

    @TempDir
    Path dir;

    @BeforeAll
    static void prerequisites() {
        RealTests.require(Files.isExecutable(QEMU_IMG), "qemu-img is not installed (Debian package qemu-utils)");
    }

    @Test
    void anUndeclaredBackingFormatLetsQemuOpenAVmdkDescriptorThatNamesAHostFile() throws Exception {
        Path secret = Files.writeString(dir.resolve("host-secret"), "not for guests\n");
        // a "raw" base volume whose content is a vmdk descriptor with a flat extent on a host file
        Path base = Files.writeString(dir.resolve(Fakes.VOLUME2), "# Disk DescriptorFile\nversion=1\nCID=fffffffe\n"
                + "parentCID=ffffffff\ncreateType=\"monolithicFlat\"\nRW 1 FLAT \"" + secret + "\" 0\n");
        Path declared = dir.resolve(Fakes.VOLUME1);
        run("create", "-f", "qcow2", "-b", base.getFileName().toString(), "-F", "raw", declared.toString(), "1M");
        assertEquals(List.of("qcow2", "raw"), chainFormats(declared), "declared raw: qemu reads the descriptor as data");
        assertDoesNotThrow(() -> Qcow2Inspector.check(declared, "qcow2", NAMES));

        // the same image without its backing format extension: qemu probes the base
        Path undeclared = dir.resolve(Fakes.VOLUME1 + "." + Fakes.UUID2);
        Files.write(undeclared, withoutBackingFormat(Files.readAllBytes(declared)));
        assertEquals(List.of("qcow2", "vmdk"), chainFormats(undeclared), "the attack: qemu opens the base as vmdk");
        UnsafeImageException e = assertThrows(UnsafeImageException.class, () -> Qcow2Inspector.check(undeclared, "qcow2", NAMES));
        assertTrue(e.getMessage().contains("looks like vmdk"), e.getMessage());

        // an undeclared base that is plain data stays usable, and qemu agrees it is raw
        Files.write(base, new byte[4096]);
        assertEquals(List.of("qcow2", "raw"), chainFormats(undeclared));
        assertDoesNotThrow(() -> Qcow2Inspector.check(undeclared, "qcow2", NAMES));
    }

    /** Renames the backing format header extension to an unknown (ignored) type. */
    static byte[] withoutBackingFormat(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image);
        int pos = b.getInt(100); // header length (version 3)
        while (true) {
            int type = b.getInt(pos);
            int length = b.getInt(pos + 4);
            if (type == Qcow2Inspector.EXT_END) {
                fail("no backing format extension in the image qemu-img made");
            }
            if (type == Qcow2Inspector.EXT_BACKING_FORMAT) {
                b.putInt(pos, 0x7e57_0001);
                return image;
            }
            pos += 8 + ((length + 7) & ~7);
        }
    }

    /** The formats of the chain as qemu opens it, top first. */
    List<String> chainFormats(Path image) throws Exception {
        String json = run("info", "--backing-chain", "--output=json", image.toString());
        Matcher m = Pattern.compile("\"format\":\\s*\"([a-z0-9]+)\"").matcher(json);
        List<String> formats = new java.util.ArrayList<>();
        while (m.find()) {
            formats.add(m.group(1));
        }
        return formats;
    }

    String run(String... args) throws Exception {
        return qemuImg(dir, args);
    }

    /** Runs {@code qemu-img} in a directory; a failure fails the test. */
    static String qemuImg(Path dir, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(QEMU_IMG.toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(argv + " failed: " + out);
        }
        return out;
    }
}
