package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
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
import org.volumedriver.quobyte.internal.MountLayout;
import org.volumedriver.quobyte.internal.QuobyteConfig;
import org.volumedriver.quobyte.internal.QuobyteVolumeDriver;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;

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
    final List<String> domains = new ArrayList<>();

    @BeforeAll
    static void prerequisites() throws Exception {
        boolean required = "required".equals(System.getenv("VOLUMEDRIVER_REAL_TESTS"));
        // it mounts file systems and starts guests: only on request, inside scripts/test's namespace
        Assumptions.assumeTrue(required, "the end-to-end test runs with VOLUMEDRIVER_REAL_TESTS=required");
        List<String> missing = new ArrayList<>();
        if (MountLayout.currentUid() != 0) {
            missing.add("root");
        }
        if (!Files.exists(Path.of("/dev/fuse"))) {
            missing.add("/dev/fuse");
        }
        String standin = System.getProperty("quobyte.standin");
        if (standin == null || !Files.isExecutable(Path.of(standin))) {
            missing.add("the stand-in binary (itests/quobyte-standin/build.sh)");
        }
        if (!Files.exists(SOCKET)) {
            missing.add("libvirtd (scripts/hypervisor-sandbox start)");
        }
        if (!missing.isEmpty()) {
            fail("the end-to-end test is required but these prerequisites are missing: " + missing);
        }
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

        executor = org.volumedriver.testsupport.ShippedExecutor.executor(standin);
        base = tmp.resolve("mnt");
        quobyte = new QuobyteVolumeDriver(executor, config(QuobyteConfig.class, Map.of(
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
                Duration.ofMillis(100), DiskPolicy.from(config(LibvirtConfig.class, Map.of()))));
        libvirt = Libvirt.open("qemu:///system");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (String name : domains) {
            try {
                Domain dom = libvirt.connect().domainLookupByName(name);
                if (dom.isActive() == 1) {
                    dom.destroy();
                }
                if (dom.isPersistent() == 1) {
                    dom.undefine();
                }
            } catch (LibvirtException e) {
                // already gone
            }
        }
        if (libvirt != null) {
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
        String name = "vde2e-" + UUID.randomUUID().toString().substring(0, 8);
        domains.add(name);
        String xml = "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>"
                + "<on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>"
                + "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='none'/></devices></domain>";
        Domain dom = libvirt.connect().domainDefineXML(xml);
        dom.create();
        return dom;
    }

    private boolean isMounted() throws IOException {
        String point = " " + mountDir + " ";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.contains(point) && l.contains(" - fuse.quobyte "));
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

    /** A typed configuration the way Declarative Services builds it: the annotation's defaults plus these values. */
    static <T> T config(Class<T> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
                (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    if (method.getName().equals("annotationType")) {
                        return type;
                    }
                    return method.getDefaultValue();
                }));
    }
}
