package org.volumedriver.libvirt.internal;

/** Lets tests in other packages apply the same prerequisite rule. */
public final class PrerequisitesAccess {

    private PrerequisitesAccess() {
    }

    /** Skips, or fails when real tests are required, if libvirt.so.0 is missing. */
    public static void requireLibvirt() {
        Prerequisites.require(Prerequisites.libvirtLibraryPresent(), "libvirt.so.0 is not installed (Debian package libvirt0)");
    }
}
