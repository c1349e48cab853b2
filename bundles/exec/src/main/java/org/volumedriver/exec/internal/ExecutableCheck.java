package org.volumedriver.exec.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Checks an executable before it is allowed to run: a writable or foreign-owned binary would let
 * someone else decide what runs with our (possibly root) privileges.
 */
final class ExecutableCheck {

    private ExecutableCheck() {
    }

    /**
     * @param executable the configured path
     * @param uid the effective uid of this process
     * @return {@code null} if the executable is fine, otherwise why not
     */
    static String problem(String executable, int uid) {
        Path path = Path.of(executable);
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            return "executable is not an absolute normalized path";
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            return "executable does not exist";
        }
        try {
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                return "executable is not a regular file";
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(real, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                return "executable is group- or world-writable";
            }
            int owner = (Integer) Files.getAttribute(real, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != 0 && owner != uid) {
                return "executable is owned by uid " + owner + ", neither root nor this process";
            }
            if (!Files.isExecutable(real)) {
                return "executable is not executable";
            }
            // whoever may rename entries in a directory may swap the binary: check the directories of
            // the target and, since a link in the configured path can be swapped too, those of the path
            String unsafe = unsafeDirectory(real.getParent(), uid);
            if (unsafe == null) {
                unsafe = unsafeDirectory(path.getParent(), uid);
            }
            if (unsafe != null) {
                return unsafe;
            }
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            return "executable cannot be inspected: " + e.getClass().getSimpleName();
        }
        return null;
    }

    /** @return why a directory or one above it is unsafe, or {@code null} */
    private static String unsafeDirectory(Path start, int uid) throws IOException {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            int mode = (Integer) Files.getAttribute(dir, "unix:mode");
            int dirOwner = (Integer) Files.getAttribute(dir, "unix:uid");
            boolean sticky = (mode & 01000) != 0;
            if ((mode & 0022) != 0 && !sticky) {
                return "directory " + dir + " of the executable is group- or world-writable";
            }
            if (dirOwner != 0 && dirOwner != uid) {
                return "directory " + dir + " of the executable is owned by uid " + dirOwner;
            }
        }
        return null;
    }

    /** @return the effective uid of this process, read from {@code /proc/self/status}; -1 if unknown */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return Integer.parseInt(ids[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
