package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.volumedriver.testsupport.RealTests;

/**
 * A private copy of the FUSE stand-in for the Quobyte client, so that its knob files
 * ({@code mount-delay-ms}, {@code exit-status}, {@code root-size}) and its backing store belong to
 * one test only; and the stand-in's own conventions the real tests and benchmarks rely on.
 */
public final class StandinCopy {

    private final Path executable;

    private StandinCopy(Path executable) {
        this.executable = executable;
    }

    /**
     * Copies the stand-in the build made ({@value RealTests#STANDIN_PROPERTY}) into a directory.
     *
     * @param dir the directory, created if missing; the store goes below it
     * @return the copy
     */
    public static StandinCopy in(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path copy = Files.copy(Path.of(System.getProperty(RealTests.STANDIN_PROPERTY)), dir.resolve("quobyte-standin"),
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new StandinCopy(copy);
    }

    /** @return the executable, to configure as {@code mount.quobyte} */
    public Path executable() {
        return executable;
    }

    /**
     * The stand-in's backing directory of an export: {@code store/<export with / : , [ ] | as _>}
     * beside the executable.
     *
     * @param export the stripped export
     * @return the directory, created if missing
     */
    public Path store(String export) throws IOException {
        StringBuilder name = new StringBuilder(export.length());
        for (char c : export.toCharArray()) {
            name.append("/:,[]|".indexOf(c) >= 0 ? '_' : c);
        }
        return Files.createDirectories(executable.resolveSibling("store").resolve(name.toString()));
    }

    /**
     * Waits for the pid of the daemon serving an export's store; the daemon writes it once the
     * kernel's first request arrives, which a stat of the mount directory sends.
     *
     * @param store the export's store
     * @param mountDirectory where it is mounted
     * @return the pid
     */
    public static String daemonPid(Path store, Path mountDirectory) throws Exception {
        Path pidFile = store.resolveSibling(store.getFileName() + ".pid");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
            assertTrue(System.nanoTime() < end, "the stand-in wrote no pid file");
            StatxProbe.statNow(mountDirectory);
            Thread.sleep(10);
        }
        return Files.readString(pidFile).strip();
    }

    /**
     * Detaches every mount below a directory, lazily: a test's cleanup, also of hung clients.
     *
     * @param root the directory
     */
    public static void detachAllBelow(Path root) throws Exception {
        for (MountEntry m : new MountTable.Proc().read()) {
            if (m.mountPoint().startsWith(root.toString())) {
                new ProcessBuilder("/usr/bin/umount", "-l", m.mountPoint()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
