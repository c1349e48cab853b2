package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * When {@code VOLUMEDRIVER_REAL_TESTS=required}, a missing prerequisite fails the test; otherwise
 * the test is skipped.
 */
final class Prerequisites {

    private Prerequisites() {
    }

    static boolean required() {
        return "required".equals(System.getenv("VOLUMEDRIVER_REAL_TESTS"));
    }

    static void require(boolean present, String what) {
        if (required() && !present) {
            throw new AssertionError("VOLUMEDRIVER_REAL_TESTS=required but " + what);
        }
        assumeTrue(present, what);
    }

    static boolean libvirtLibraryPresent() {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"}) {
            if (Files.exists(Path.of(dir, "libvirt.so.0"))) {
                return true;
            }
        }
        return false;
    }
}
