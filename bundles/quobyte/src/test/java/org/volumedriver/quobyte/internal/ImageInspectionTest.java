package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.UUID2;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME2;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeLocation;
import org.volumedriver.testsupport.RealTests;

/**
 * {@code inspectImage} (SPI 1.3): what a file in a mounted export's directory is, from its own
 * header, with the checks of a connect (A3, A5), never hanging on a stale mount, changing nothing.
 * The qcow2 images are made by {@code qemu-img} where it is installed.
 */
class ImageInspectionTest extends FakeHostFixture {

    static final String SNAP = VOLUME1 + "." + UUID2;

    QuobyteEngine engine;

    @BeforeEach
    void setUp() throws Exception {
        engine = engine();
        filesOnMount(1 << 20, VOLUME1);
        engine.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
    }

    VolumeImage inspect(String file) throws VolumeDriverException {
        return engine.inspectImage(info(EXPORT, VOLUME1), file);
    }

    static void requireQemuImg() {
        RealTests.require(Files.isExecutable(Qcow2QemuTest.QEMU_IMG), "qemu-img is not installed (Debian package qemu-utils)");
    }

    @Test
    void aRawFileIsRawWhateverTheConnectionInfoSays() throws Exception {
        int calls = mounter.calls.size();
        VolumeImage raw = engine.inspectImage(info(EXPORT, VOLUME1, "qcow2"), VOLUME1);
        assertEquals(new VolumeImage(new VolumeLocation(dir.toString(), VOLUME1), "raw", 1 << 20, 1 << 20, Optional.empty(),
                Optional.empty()), raw);
        assertEquals(calls, mounter.calls.size(), "nothing runs");
    }

    @Test
    void aSnapshotOverlayMadeByQemuImgNamesItsBackingFileAndDeclaredFormat() throws Exception {
        requireQemuImg();
        Qcow2QemuTest.qemuImg(dir, "create", "-f", "qcow2", "-b", VOLUME1, "-F", "raw", SNAP, "1M");
        VolumeImage top = inspect(SNAP);
        assertEquals("qcow2", top.format());
        assertEquals(1 << 20, top.virtualSize());
        assertEquals(Files.size(dir.resolve(SNAP)), top.fileSize());
        assertEquals(Optional.of(VOLUME1), top.backingFile());
        assertEquals(Optional.of("raw"), top.backingFormat());
        assertFalse(top.backingFormatUndeclared());
        assertEquals(new VolumeLocation(dir.toString(), SNAP), top.location());

        // a second overlay on the first, declared qcow2, then the same without its declaration
        String second = VOLUME1 + ".tmp-snap-" + UUID2;
        Qcow2QemuTest.qemuImg(dir, "create", "-f", "qcow2", "-b", SNAP, "-F", "qcow2", second, "2M");
        assertEquals(Optional.of("qcow2"), inspect(second).backingFormat());
        assertEquals(2 << 20, inspect(second).virtualSize());
        write(second, Qcow2QemuTest.withoutBackingFormat(Files.readAllBytes(dir.resolve(second))));
        VolumeImage undeclared = inspect(second);
        assertEquals(Optional.of(SNAP), undeclared.backingFile());
        assertTrue(undeclared.backingFormatUndeclared(), "the fact a caller must weigh: qemu would probe " + SNAP);
    }

    @Test
    void anOverlayWithADataFileOrABackingFileInAnotherDirectoryIsRefused() throws Exception {
        requireQemuImg();
        Qcow2QemuTest.qemuImg(dir, "create", "-f", "qcow2", "-o", "data_file=" + VOLUME2, SNAP, "1M");
        assertTrue(assertThrows(UnsafeImageException.class, () -> inspect(SNAP)).getMessage().contains("data file"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.write(elsewhere.resolve(VOLUME2), new byte[4096]);
        Files.delete(dir.resolve(SNAP));
        Qcow2QemuTest.qemuImg(dir, "create", "-f", "qcow2", "-b", elsewhere.resolve(VOLUME2).toString(), "-F", "raw", SNAP, "1M");
        assertTrue(assertThrows(UnsafeImageException.class, () -> inspect(SNAP)).getMessage().contains("outside"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "..", ".", "", "../" + VOLUME1, VOLUME1 + "/x", "-" + VOLUME1, "passwd", "volume-1\n"})
    void aHostileNameIsRefusedNamingTheParameterBeforeAnyLook(String file) {
        int probes = probe.probes.get();
        InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class, () -> inspect(file));
        assertEquals(ImageInspection.FIELD, e.field());
        assertEquals(probes, probe.probes.get(), "refused before the mount is looked at");
    }

    @Test
    void aSymlinkAMissingFileOrADirectoryIsRefused() throws Exception {
        Files.createSymbolicLink(dir.resolve(SNAP), Path.of("/etc/passwd"));
        assertThrows(UnsafePathException.class, () -> inspect(SNAP));
        Files.delete(dir.resolve(SNAP));
        assertEquals(ImageInspection.FIELD, assertThrows(InvalidConnectionInfoException.class, () -> inspect(SNAP)).field());
        Files.createDirectory(dir.resolve(SNAP));
        assertThrows(UnsafePathException.class, () -> inspect(SNAP));
    }

    @Test
    void anExportThisDriverHasNotMountedIsRefused() throws Exception {
        String other = "192.168.1.2/other";
        MountUnhealthyException e = assertThrows(MountUnhealthyException.class, () -> engine.inspectImage(info(other, VOLUME1), VOLUME1));
        assertTrue(e.getMessage().contains("not mounted by this driver"), e.getMessage());
        // mounted by another agent, not by this driver
        Path foreign = base.resolve(MountLayout.hash(other));
        Files.createDirectories(foreign);
        table.mountQuobyte(foreign.toString(), other);
        Files.write(foreign.resolve(VOLUME1), new byte[512]);
        assertThrows(MountUnhealthyException.class, () -> engine.inspectImage(info(other, VOLUME1), VOLUME1));
        // this driver's mount, gone behind its back
        table.unmount(dir.toString());
        assertThrows(MountUnhealthyException.class, () -> inspect(VOLUME1));
    }

    @Test
    void aStaleMountIsRefusedWithoutReadingTheFile() throws Exception {
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        MountUnhealthyException e = assertThrows(MountUnhealthyException.class, () -> inspect(VOLUME1));
        assertEquals(dir.toString(), e.mountDirectory());
    }

    @Test
    void aHeaderReadThatHangsEndsAtTheTimeoutAndTheNextLookIsRefusedAtOnce() throws Exception {
        BoundedLstat looks = new BoundedLstat();
        CountDownLatch release = new CountDownLatch(1);
        long start = System.nanoTime();
        MountUnhealthyException hung = assertThrows(MountUnhealthyException.class,
                () -> looks.look(dir, Duration.ofMillis(200), "reading an image header on it", () -> {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException x) {
                        Thread.currentThread().interrupt();
                    }
                    return "read";
                }));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 190 && millis < 2_000, millis + " ms");
        assertTrue(hung.getMessage().contains("reading an image header on it did not answer within 200 ms"), hung.getMessage());
        start = System.nanoTime();
        assertThrows(MountUnhealthyException.class, () -> looks.look(dir, Duration.ofMillis(200), "again", () -> "read"));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 100, "refused at once");
        release.countDown();
        Thread.sleep(50);
        assertEquals("read", looks.look(dir, Duration.ofMillis(200), "again", () -> "read"));
        // a typed refusal of the look itself passes through
        assertThrows(UnsafeImageException.class, () -> looks.look(dir, Duration.ofMillis(200), "a refused header", () -> {
            throw new UnsafeImageException("refused");
        }));
    }
}
