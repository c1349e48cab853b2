package org.volumedriver.itests.hypervisor;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.SnapshotResult;
import org.volumedriver.libvirt.internal.LibvirtSettings;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.testsupport.RealTests;

/**
 * Base of the tests on one guest's disk of a volume (snapshots, merges, extend): the prerequisites
 * checked once per class, a fresh {@link QemuHost} on the class's export for every test (closed
 * afterwards with its guests and mount), and the steps those tests share: a running guest with a
 * new raw volume attached, and the storage side's overlay followed by the snapshot onto it.
 */
abstract class QemuGuestFixture {

    @TempDir
    Path tmp;
    QemuHost host;
    /** The guest of {@link #attachNewVolume}, its volume and the volume's connection info. */
    Domain dom;
    String volume;
    ConnectionInfo info;

    private final String export;
    private final LibvirtSettings.BlockJobPolicy blockJobs;

    /** @param export the export this class's tests mount, with the tests' block-job wait */
    QemuGuestFixture(String export) {
        this(export, QemuHost.TEST_JOBS);
    }

    QemuGuestFixture(String export, LibvirtSettings.BlockJobPolicy blockJobs) {
        this.export = export;
        this.blockJobs = blockJobs;
    }

    @BeforeAll
    static void prerequisites() {
        RealTests.onlyWhenRequired("the snapshot test")
                .needFuseStandin()
                .need(Files.exists(QuobyteVolumeOnQemuTest.SOCKET), "libvirtd (scripts/hypervisor-sandbox start)")
                .need(Files.isExecutable(Path.of("/usr/bin/virsh")), "virsh (Debian package libvirt-clients)")
                .need(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img (Debian package qemu-utils)")
                .check();
    }

    @BeforeEach
    void startHost() throws Exception {
        host = new QemuHost(tmp, export, blockJobs);
    }

    @AfterEach
    void closeHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    /** Starts a guest with a new raw volume of this size attached as {@code vdb}: {@link #dom}, {@link #volume}, {@link #info}. */
    void attachNewVolume(long bytes, AttachMode mode) throws Exception {
        volume = host.newVolume(bytes);
        dom = host.guestWith(volume, mode);
        info = host.info(volume, "raw");
    }

    /** What the storage side makes for a snapshot: a new qcow2 file {@code <volume>.<uuid>} backed by this one. */
    String overlayOn(String backing, String backingFormat) throws Exception {
        String next = QemuHost.snapshotFile(volume);
        host.overlay(next, backing, backingFormat);
        return next;
    }

    /** Switches the guest's disk to the new file, under the snapshot id its name carries. */
    SnapshotResult snapshot(String newFile) throws Exception {
        return host.volumes.snapshotCreate(dom.getName(), info, id(newFile), newFile);
    }

    /** {@link #overlayOn} and {@link #snapshot} in one: returns the guest's new active file. */
    String snapshotOnto(String backing, String backingFormat) throws Exception {
        String next = overlayOn(backing, backingFormat);
        snapshot(next);
        return next;
    }

    /** The snapshot id the storage side used in a file name {@code <volume>.<id>}. */
    String id(String file) {
        return file.substring(volume.length() + 1);
    }
}
