package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.internal.AttachedVolumesImpl;
import org.volumedriver.libvirt.internal.DiskPolicy;
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
import org.volumedriver.testsupport.ComponentConfigs;
import org.volumedriver.testsupport.ShippedExecutor;
import org.volumedriver.testsupport.TcgDomains;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * One host for the end-to-end tests: the export mounted through the FUSE stand-in by
 * the Quobyte driver with the real executor, the libvirt bundle's attacher and attached-volumes
 * service over the real libvirtd (constructed without a framework, as in Karaf), TCG guests, and
 * the tools the storage side and an operator use: {@code qemu-img} on the mount, {@code virsh}.
 *
 * <p>What the tests compare comes from outside the product wherever it can: the live definition
 * read with the JDK's own XML parser, {@code virsh}, {@code qemu-img info --backing-chain -U} and
 * the QEMU process's open files.
 */
final class QemuHost implements AutoCloseable {

    static final String QEMU_GROUP = QuobyteVolumeOnQemuTest.QEMU_GROUP;
    /** The tests' block-job wait: bounded at two minutes, looked at every 100 ms. */
    static final LibvirtSettings.BlockJobPolicy TEST_JOBS = new LibvirtSettings.BlockJobPolicy(Duration.ofMinutes(2), Duration.ofMillis(100));

    final String export;
    final Path store;
    final Path base;
    final Path mountDir;
    final ProcessCommandExecutor executor;
    final QuobyteVolumeDriver quobyte;
    final VolumeDriversImpl drivers;
    final VolumeAttacherImpl attacher;
    final AttachedVolumesImpl volumes;
    final Libvirt libvirt;
    private final DefinedDomains domains = new DefinedDomains();

    /**
     * @param tmp an empty directory of the test
     * @param export the export the stand-in serves
     * @param blockJobs how long a merge may wait for its block job, and how often it looks
     */
    QemuHost(Path tmp, String export, LibvirtSettings.BlockJobPolicy blockJobs) throws Exception {
        this.export = export;
        // QEMU (user libvirt-qemu) must be able to walk down to the mount base
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        Path standin = Files.copy(Path.of(System.getProperty("quobyte.standin")), bin.resolve("quobyte-standin"),
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(standin, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the export's data as the stand-in serves it: <bin>/store/<export with / and : as _>
        store = Files.createDirectories(bin.resolve("store").resolve(export.replace('/', '_').replace(':', '_')));
        executor = new ProcessCommandExecutor(ExecutorSettings.fromProperties(ShippedExecutor.properties(standin)));
        base = tmp.resolve("mnt");
        mountDir = base.resolve(MountLayout.hash(export));
        quobyte = new QuobyteVolumeDriver(executor, ComponentConfigs.of(QuobyteConfig.class, Map.of(
                "mount_base", base.toString(),
                "systemd_mode", "off",
                "watchdog_enabled", false,
                "directory_group", QEMU_GROUP)));
        drivers = new VolumeDriversImpl();
        drivers.addDriver(quobyte, Map.of("service.id", 1L, "volume.driver.type", "quobyte"));
        LibvirtSettings settings = new LibvirtSettings("qemu:///system", Duration.ofSeconds(2), Duration.ofMillis(100),
                DiskPolicy.from(ComponentConfigs.defaults(LibvirtConfig.class)),
                new LibvirtSettings.ReconcilePolicy(false, Duration.ZERO, false), blockJobs);
        attacher = VolumeAttacherImpl.withSettings(drivers, settings);
        volumes = AttachedVolumesImpl.withSettings(drivers, settings);
        libvirt = Libvirt.open("qemu:///system");
    }

    @Override
    public void close() throws Exception {
        domains.removeAll(libvirt.connect());
        libvirt.close();
        Method deactivate = QuobyteVolumeDriver.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(quobyte);
        if (isMounted()) {
            run(List.of("/usr/bin/umount", "-l", mountDir.toString()));
        }
        volumes.close();
        executor.close();
    }

    // ---- volumes and guests ----

    /** A new raw volume file of this size in the export's store. */
    String newVolume(long bytes) throws IOException {
        String volume = "volume-" + UUID.randomUUID();
        try (RandomAccessFile file = new RandomAccessFile(store.resolve(volume).toFile(), "rw")) {
            file.setLength(bytes);
        }
        return volume;
    }

    ConnectionInfo info(String volume, String format) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte",
                "data", Map.of("export", "quobyte://" + export, "name", volume, "format", format)));
    }

    Domain startGuest(String prefix) throws LibvirtException {
        String name = domains.add(TcgDomains.uniqueName(prefix));
        Domain dom = libvirt.connect().domainDefineXML(TcgDomains.named(name).runnable().xml());
        dom.create();
        return dom;
    }

    /** Starts a guest and attaches the raw volume to it as {@code vdb}, counted for the domain's name. */
    Domain guestWith(String volume, AttachMode mode) throws Exception {
        Domain dom = startGuest("vdsnap");
        attacher.attach(dom.getName(), info(volume, "raw"), Attachment.of(volume, dom.getName()), "vdb", "virtio", mode);
        return dom;
    }

    /** The volume's serial as the driver gives it: its UUID. */
    static String serial(String volume) {
        return volume.substring("volume-".length(), "volume-".length() + 36);
    }

    /** A file of the volume's chain: {@code <volume>.<uuid>}. */
    static String snapshotFile(String volume) {
        return volume + "." + UUID.randomUUID();
    }

    Path file(String name) {
        return mountDir.resolve(name);
    }

    /**
     * What the storage side does for an assisted snapshot: a qcow2 file on the share whose backing
     * file is the current active one, named relative to the directory, its format declared.
     */
    void overlay(String name, String backing, String backingFormat) throws Exception {
        run(List.of("/usr/bin/qemu-img", "create", "-q", "-f", "qcow2", "-F", backingFormat, "-b", backing, name), mountDir);
    }

    // ---- what libvirt, QEMU and the files say ----

    static String liveXml(Domain dom) throws LibvirtException {
        return dom.getXMLDesc(0);
    }

    /**
     * The disk with this serial in a domain definition, read with the JDK's parser: its target and
     * its chain, active file first, each as {@code path (format)}.
     */
    static List<String> chainInXml(String domainXml, String serial) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        InputStream in = new ByteArrayInputStream(domainXml.getBytes(StandardCharsets.UTF_8));
        var disks = factory.newDocumentBuilder().parse(in).getElementsByTagName("disk");
        for (int i = 0; i < disks.getLength(); i++) {
            Element disk = (Element) disks.item(i);
            Element serialElement = child(disk, "serial");
            if (serialElement == null || !serialElement.getTextContent().equals(serial)) {
                continue;
            }
            List<String> chain = new ArrayList<>();
            String format = child(disk, "driver").getAttribute("type");
            for (Element layer = disk; layer != null; layer = child(layer, "backingStore")) {
                Element source = child(layer, "source");
                if (source == null) {
                    break; // the empty <backingStore/> that ends a chain
                }
                if (layer != disk) {
                    format = child(layer, "format").getAttribute("type");
                }
                chain.add(source.getAttribute("file") + " (" + format + ")");
            }
            return chain;
        }
        return List.of();
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    /** The chain {@code qemu-img} reads from the files, sharing QEMU's locks: {@code path (format)}, active first. */
    List<String> chainOnDisk(String active) throws Exception {
        String info = run(List.of("/usr/bin/qemu-img", "info", "--backing-chain", "-U", file(active).toString()));
        List<String> chain = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^image: (.+)\\n(?:.*\\n)*?file format: (\\S+)").matcher(info);
        while (m.find()) {
            chain.add(m.group(1) + " (" + m.group(2) + ")");
        }
        return chain;
    }

    /** {@code virsh domblklist}: the source of a target as virsh shows it. */
    static String virshSource(Domain dom, String targetDev) throws Exception {
        for (String line : virsh("domblklist", dom.getName()).lines().toList()) {
            String[] cells = line.strip().split("\\s+", 2);
            if (cells.length == 2 && cells[0].equals(targetDev)) {
                return cells[1];
            }
        }
        throw new AssertionError("virsh domblklist has no " + targetDev);
    }

    /** {@code virsh domblkinfo}: the capacity of a target as QEMU reports it. */
    static long virshCapacity(Domain dom, String targetDev) throws Exception {
        Matcher m = Pattern.compile("(?m)^Capacity:\\s+(\\d+)").matcher(virsh("domblkinfo", dom.getName(), targetDev));
        assertTrue(m.find(), "no capacity from virsh domblkinfo");
        return Long.parseLong(m.group(1));
    }

    static String virsh(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/virsh", "-c", "qemu:///system", "-q"));
        argv.addAll(List.of(args));
        return run(argv);
    }

    /** The SHA-256 of every file in the export's store, by name. */
    Map<String, String> hashes() throws Exception {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> files = Files.list(store)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                try (InputStream in = Files.newInputStream(f)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0;) {
                        sha.update(buffer, 0, n);
                    }
                }
                hashes.put(f.getFileName().toString(), HexFormat.of().formatHex(sha.digest()));
            }
        }
        return hashes;
    }

    /**
     * Runs a qemu-io command through QEMU's monitor on the disk with this target, as the guest's
     * own I/O would reach the image (the guest has no OS): on the block backend of the disk's
     * virtio device, whatever node is on top after a snapshot. Its output goes to QEMU's stdout,
     * the guest's log; a refusal comes back from the monitor.
     */
    static void qemuIo(Domain dom, String targetDev, String command) throws Exception {
        String backend = "/machine/peripheral/" + alias(liveXml(dom), targetDev) + "/virtio-backend";
        String reply = dom.qemuMonitorCommand("qemu-io -d " + backend + " \"" + command + "\"", 1);
        assertEquals("", reply.strip(), "qemu-io " + command);
    }

    /** The qdev id libvirt gave the disk with this target (its {@code <alias>}). */
    static String alias(String domainXml, String targetDev) {
        Matcher m = Pattern.compile("<disk\\b(?:(?!</disk>).)*?<target dev=['\"]" + targetDev + "['\"](?:(?!</disk>).)*?<alias name=['\"]([^'\"]+)['\"]",
                Pattern.DOTALL).matcher(domainXml);
        assertTrue(m.find(), "no alias for " + targetDev + " in the live definition");
        return m.group(1);
    }

    /** Whether the image reads this pattern there, as {@code qemu-io} sees it beside QEMU (shared locks, read-only). */
    boolean reads(String active, int pattern, long offset, long length) throws Exception {
        String out = run(List.of("/usr/bin/qemu-io", "-r", "-U", "-f", "qcow2", "-c",
                "read -P 0x" + Integer.toHexString(pattern) + " " + offset + " " + length, file(active).toString()));
        return !out.contains("Pattern verification failed");
    }

    boolean isMounted() throws Exception {
        String point = mountDir.toString();
        return new MountTable.Proc().read().stream()
                .anyMatch(m -> !m.deleted() && m.mountPoint().equals(point) && m.fsType().equals("fuse.quobyte"));
    }

    /** Whether a file descriptor of the guest's QEMU process points at the file. */
    static boolean qemuHasOpen(Domain dom, Path file) throws Exception {
        long pid = Long.parseLong(Files.readString(Path.of("/run/libvirt/qemu", dom.getName() + ".pid")).trim());
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
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

    static String run(List<String> argv) throws Exception {
        return run(argv, null);
    }

    /** Runs a tool; it must exit 0 within a minute. Returns stdout and stderr together. */
    static String run(List<String> argv, Path dir) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), argv + " did not end");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> argv + " failed: " + text);
        return text;
    }
}
