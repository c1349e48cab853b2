package org.volumedriver.libvirt.internal;

import java.nio.file.Files;
import java.nio.file.Path;

import org.volumedriver.testsupport.RealTests;

/** What the tests against libvirt need on the host: skipped without it, failed when real tests are required. */
public final class Prerequisites {

    private Prerequisites() {
    }

    /** Skips, or fails when real tests are required, if libvirt.so.0 is missing. */
    public static void requireLibvirt() {
        RealTests.require(libvirtLibraryPresent(), "libvirt.so.0 is not installed (Debian package libvirt0)");
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
