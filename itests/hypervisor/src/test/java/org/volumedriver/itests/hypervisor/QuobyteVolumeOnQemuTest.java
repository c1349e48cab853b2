package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.internal.DiskPolicy;
import org.volumedriver.libvirt.internal.DomainXml;
import org.volumedriver.libvirt.internal.Libvirt;
import org.volumedriver.libvirt.internal.LibvirtConfig;
import org.volumedriver.libvirt.internal.LibvirtSettings;
import org.volumedriver.libvirt.internal.VolumeAttacherImpl;
import org.volumedriver.libvirt.internal.VolumeDriversImpl;
import org.volumedriver.libvirt.testing.DefinedDomains;
import org.volumedriver.quobyte.internal.MountLayout;
import org.volumedriver.quobyte.internal.MountTable;
import org.volumedriver.quobyte.internal.QuobyteConfig;
import org.volumedriver.quobyte.internal.QuobyteVolumeDriver;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.testsupport.ComponentConfigs;
import org.volumedriver.testsupport.ShippedExecutor;
import org.volumedriver.testsupport.TcgDomains;
import org.volumedriver.testsupport.RealTests;

/**
 * The product's path on one host, with nothing faked: the Quobyte driver mounts the export through
 * the FUSE stand-in (the real executor runs it as {@code mount.quobyte}), the libvirt bundle
 * attaches the volume file on that mount to a running QEMU guest (TCG) of a real libvirtd, and QEMU,
 * running as its own user, opens the file through the mount. Requires root, {@code /dev/fuse} and
 * the daemons of {@code scripts/hypervisor-sandbox} in the same private mount namespace
 * ({@code scripts/test}), so that QEMU sees the test's mounts.
 */
class QuobyteVolumeOnQemuTest {

    static final String EXPORT = "registry.example.org:7861/e2e-volume";
    static final String QEMU_GROUP = "libvirt-qemu";
    static final Path SOCKET = Path.of("/run/libvirt/libvirt-sock");
    static final long SIZE = 1024 * 1024;

    @TempDir
    Path tmp;
    Path base;
    Path mountDir;
    String volume;
    ProcessCommandExecutor executor;
    QuobyteVolumeDriver quobyte;
    VolumeAttacherImpl attacher;
    Libvirt libvirt;
    final DefinedDomains domains = new DefinedDomains();

    @BeforeAll
    static void prerequisites() {
        // it mounts file systems and starts guests: only on request, inside scripts/test's namespace
        RealTests.onlyWhenRequired("the end-to-end test")
                .needFuseStandin()
                .need(Files.exists(SOCKET), "libvirtd (scripts/hypervisor-sandbox start)")
                .check();
    }

    @BeforeEach
    void setUp() throws Exception {
        // QEMU (user libvirt-qemu) must be able to walk down to the mount base
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        Path standin = Files.copy(Path.of(System.getProperty("quobyte.standin")), bin.resolve("quobyte-standin"),
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(standin, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the export's data as the stand-in serves it: <bin>/store/<export with / and : as _>
        Path store = Files.createDirectories(bin.resolve("store").resolve(EXPORT.replace('/', '_').replace(':', '_')));
        volume = "volume-" + UUID.randomUUID();
        Files.write(store.resolve(volume), new byte[(int) SIZE]);

        executor = new ProcessCommandExecutor(ExecutorSettings.fromProperties(ShippedExecutor.properties(standin)));
        base = tmp.resolve("mnt");
        quobyte = new QuobyteVolumeDriver(executor, ComponentConfigs.of(QuobyteConfig.class, Map.of(
                "mount_base", base.toString(),
                "systemd_mode", "off",
                "watchdog_enabled", false,
                // mode 0750 stays, QEMU gets in through the group
                "directory_group", QEMU_GROUP)));
        mountDir = base.resolve(MountLayout.hash(EXPORT));

        VolumeDriversImpl drivers = new VolumeDriversImpl();
        drivers.addDriver(quobyte, Map.of("service.id", 1L, "volume.driver.type", "quobyte"));
        // the libvirt bundle's default allowlists: Quobyte volumes are files, raw or qcow2
        attacher = VolumeAttacherImpl.withSettings(drivers, new LibvirtSettings("qemu:///system", Duration.ofSeconds(2),
                Duration.ofMillis(100), DiskPolicy.from(ComponentConfigs.defaults(LibvirtConfig.class))));
        libvirt = Libvirt.open("qemu:///system");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (libvirt != null) {
            domains.removeAll(libvirt.connect());
            libvirt.close();
        }
        if (quobyte != null) {
            Method deactivate = QuobyteVolumeDriver.class.getDeclaredMethod("deactivate");
            deactivate.setAccessible(true);
            deactivate.invoke(quobyte);
        }
        if (isMounted()) {
            new ProcessBuilder("/usr/bin/umount", "-l", mountDir.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
        if (executor != null) {
            executor.close();
        }
    }

    @Test
    void aRunningGuestGetsTheVolumeFromTheQuobyteMountAndTheMountStaysWhileQemuHoldsIt() throws Exception {
        Domain dom = startGuest();
        ConnectionInfo info = ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte",
                "data", Map.of("export", "quobyte://" + EXPORT, "name", volume, "format", "raw")));
        Attachment attachment = Attachment.of(volume, dom.getName());
        Path source = mountDir.resolve(volume);

        AttachResult attached = attacher.attach(dom.getName(), info, attachment, "vdb", "virtio", AttachMode.LIVE);

        assertEquals(source.toString(), attached.disk().sourcePath());
        assertTrue(isMounted(), "the export is mounted through the stand-in: " + mountDir);
        assertEquals(QEMU_GROUP, Files.readAttributes(base, java.nio.file.attribute.PosixFileAttributes.class).group().getName());
        DomainXml.Disk disk = DomainXml.disks(dom.getXMLDesc(0)).stream().filter(d -> d.source().equals(Optional.of(source.toString())))
                .findFirst().orElseThrow(() -> new AssertionError("the disk is not in the guest's live definition"));
        assertEquals("vdb", disk.targetDev());
        assertEquals(SIZE, dom.blockInfo("vdb").getCapacity(), "QEMU reads the image's size through the FUSE mount");
        assertTrue(qemuHasOpen(dom, source), "the QEMU process holds the file on the FUSE mount open");
        MountStatus mount = quobyte.mounts().get(0);
        assertEquals(MountState.HEALTHY, mount.state());
        assertEquals(List.of(attachment), List.copyOf(mount.attachments()));

        // no guest OS acknowledges the unplug: the volume stays connected, the mount stays
        DetachResult detach = attacher.detach(dom.getName(), info, attachment, AttachMode.LIVE);
        assertEquals(DetachOutcome.NOT_RELEASED, detach.outcome());
        assertTrue(isMounted());

        // a disconnect behind libvirt's back cannot pull the mount from under QEMU
        assertEquals(DisconnectOutcome.BUSY, quobyte.disconnect(info, attachment));
        assertTrue(isMounted(), "umount was refused while QEMU had the file open");
        assertTrue(qemuHasOpen(dom, source));

        // once the guest is gone the repeated disconnect unmounts and removes the directory
        dom.destroy();
        assertEquals(DisconnectOutcome.UNMOUNTED, quobyte.disconnect(info, attachment));
        assertFalse(isMounted());
        assertFalse(Files.exists(mountDir));
    }

    private Domain startGuest() throws LibvirtException {
        String name = domains.add(TcgDomains.uniqueName("vde2e"));
        Domain dom = libvirt.connect().domainDefineXML(TcgDomains.named(name).runnable().xml());
        dom.create();
        return dom;
    }

    private boolean isMounted() throws Exception {
        String point = mountDir.toString();
        return new MountTable.Proc().read().stream()
                .anyMatch(m -> !m.deleted() && m.mountPoint().equals(point) && m.fsType().equals("fuse.quobyte"));
    }

    /** Whether a file descriptor of the guest's QEMU process points at the file. */
    private static boolean qemuHasOpen(Domain dom, Path file) throws Exception {
        Path pidFile = Path.of("/run/libvirt/qemu", dom.getName() + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file)) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return false;
    }
}
