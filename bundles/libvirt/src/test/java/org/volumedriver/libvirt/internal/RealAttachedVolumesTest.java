package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.ChainLink;
import org.volumedriver.libvirt.DiskChain;
import org.volumedriver.libvirt.ExtendResult;
import org.volumedriver.libvirt.MergeKind;
import org.volumedriver.libvirt.MergeResult;
import org.volumedriver.libvirt.SnapshotResult;
import org.volumedriver.libvirt.testing.DefinedDomains;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.testsupport.RealTests;
import org.volumedriver.testsupport.TcgDomains;

/**
 * The operations on attached volumes against a real libvirtd with QEMU (TCG): a raw volume file
 * attached live to a running guest, overlays made by {@code qemu-img} as the storage side makes
 * them, switched to by disk-only snapshots, merged away by commits and pulls (the pull through the
 * JNA mapping of {@code virDomainBlockRebase}), and grown online. libvirt's live XML is the
 * judge of every chain.
 */
class RealAttachedVolumesTest {

    static final Duration WAIT = Duration.ofSeconds(2);
    static final long MIB = 1 << 20;

    @TempDir
    Path temp;

    private Path mnt;
    private DirectoryVolumeDriver driver;
    private VolumeAttacherImpl attacher;
    private AttachedVolumesImpl volumes;
    private Libvirt libvirt;
    private final DefinedDomains domains = new DefinedDomains();
    private final String uuid = UUID.randomUUID().toString();
    private final String base = "volume-" + uuid;

    @BeforeAll
    static void hypervisorPresent() {
        RealHypervisorTest.hypervisorPresent();
        RealTests.require(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img is not installed (Debian package qemu-utils)");
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        mnt = Files.createDirectory(temp.resolve("mnt"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        driver = new DirectoryVolumeDriver(mnt, true);
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        drivers.addDriver(driver, Map.of("service.id", 1L, "volume.driver.type", "dir"));
        LibvirtSettings settings = new LibvirtSettings("qemu:///system", WAIT, Duration.ofMillis(100),
                TestConfigs.policy(Map.of("source_types", new String[] {"dir=file"})), LibvirtSettings.ReconcilePolicy.DEFAULT,
                new LibvirtSettings.BlockJobPolicy(Duration.ofMinutes(2), Duration.ofMillis(100)));
        DomainLocks locks = new DomainLocks();
        attacher = VolumeAttacherImpl.withSettings(drivers, settings, locks, new Telemetry());
        volumes = AttachedVolumesImpl.withSettings(drivers, settings, locks, new Telemetry());
        libvirt = Libvirt.open("qemu:///system");
    }

    @AfterEach
    void tearDown() {
        volumes.close();
        attacher.deactivate();
        if (libvirt != null) {
            domains.removeAll(libvirt.connect());
            libvirt.close();
        }
    }

    private ConnectionInfo info(String name) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "dir", "data", Map.of("export", "dir://export", "name", name)));
    }

    private static void run(Path dir, String... argv) throws Exception {
        Process process = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", argv));
        assertEquals(0, process.exitValue(), String.join(" ", argv) + ": " + output);
    }

    /** An overlay as the storage side makes it: qcow2, the backing file by its name, the format declared. */
    private String overlay(String name, String backing, String backingFormat, String size) throws Exception {
        List<String> argv = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", backingFormat, "-b", backing, name));
        if (size != null) {
            argv.add(size);
        }
        run(mnt, argv.toArray(String[]::new));
        Files.setPosixFilePermissions(mnt.resolve(name), PosixFilePermissions.fromString("rw-r--r--"));
        return name;
    }

    /** A running guest with the raw volume attached live, as production attaches it. */
    private String guestWithVolume(long size) throws Exception {
        try (RandomAccessFile file = new RandomAccessFile(mnt.resolve(base).toFile(), "rw")) {
            file.setLength(size);
        }
        Files.setPosixFilePermissions(mnt.resolve(base), PosixFilePermissions.fromString("rw-r--r--"));
        String name = domains.add(TcgDomains.uniqueName("chain"));
        Domain dom = libvirt.connect().domainDefineXML(TcgDomains.named(name).runnable().xml());
        dom.create();
        dom.free();
        attacher.attach(name, info(base), new Attachment(base, name), "vdb", "virtio", AttachMode.LIVE);
        return name;
    }

    private List<String> live(String domain) throws Exception {
        ChainReader.LiveDisk disk = DiskLookup.find(domain, ChainReader.disks(libvirt.domain(domain).getXMLDesc(0)),
                driver.describeDisk(info(base)));
        return disk.chain().stream().map(l -> Path.of(l.path()).getFileName() + ":" + l.format()).toList();
    }

    @Test
    void snapshotsCommitsAndPullsOnARunningGuest() throws Exception {
        String domain = guestWithVolume(64 * MIB);
        String s1 = overlay(base + ".s1", base, "raw", null);
        // data only s1 holds, so that the commit has work to do and reports progress
        run(mnt, "qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 16M", s1);

        SnapshotResult first = volumes.snapshotCreate(domain, info(base), UUID.randomUUID().toString(), s1);
        assertFalse(first.quiesced(), "no guest agent channel");
        assertEquals(List.of(s1 + ":qcow2", base + ":raw"), live(domain));
        assertEquals(List.of(new ChainLink(mnt.resolve(s1).toString(), "qcow2"), new ChainLink(mnt.resolve(base).toString(), "raw")),
                first.chain().links());
        assertEquals(Set.of(new Attachment(s1, domain)), driver.attachments(), "the record followed the guest");

        String s2 = overlay(base + ".s2", s1, "qcow2", null);
        volumes.snapshotCreate(domain, info(base), UUID.randomUUID().toString(), s2);
        DiskChain three = volumes.chain(domain, info(base));
        assertEquals(List.of(s2 + ":qcow2", s1 + ":qcow2", base + ":raw"), live(domain));
        assertEquals(3, three.links().size());

        // Nova's commit: s1 into its backing file, the base
        List<Long> progress = new ArrayList<>();
        MergeResult commit = volumes.snapshotDelete(domain, info(base), s1, base, (cur, end) -> progress.add(end));
        assertEquals(MergeKind.COMMIT, commit.kind());
        assertEquals(mnt.resolve(s1).toString(), commit.mergedAway());
        assertEquals(List.of(s2 + ":qcow2", base + ":raw"), live(domain));
        assertTrue(Files.exists(mnt.resolve(s1)), "the merged-away file stays for the storage side");
        run(mnt, "qemu-io", "-U", "-r", "-f", "raw", "-c", "read -P 0xab 0 16M", base);

        // Nova's pull: s2 goes into a new active file s3, whose backing file becomes the base
        String s3 = overlay(base + ".s3", s2, "qcow2", null);
        volumes.snapshotCreate(domain, info(base), UUID.randomUUID().toString(), s3);
        MergeResult pull = volumes.snapshotDelete(domain, info(base), base, null, null);
        assertEquals(MergeKind.REBASE, pull.kind());
        assertEquals(mnt.resolve(s2).toString(), pull.mergedAway());
        assertEquals(List.of(s3 + ":qcow2", base + ":raw"), live(domain));

        // and everything: the active file keeps no backing file
        MergeResult all = volumes.snapshotDelete(domain, info(base), null, null, null);
        assertEquals(mnt.resolve(base).toString(), all.mergedAway());
        assertEquals(List.of(s3 + ":qcow2"), live(domain));
        assertEquals(Set.of(new Attachment(s3, domain)), driver.attachments());
        System.out.printf("measured on QEMU/TCG: snapshot create %d ms, commit of 16 MiB %d ms (%d progress reports), pull %d ms, pull all %d ms%n",
                first.duration().toMillis(), commit.duration().toMillis(), progress.size(), pull.duration().toMillis(),
                all.duration().toMillis());
        // QEMU keeps qcow2 metadata in memory while it runs: read the data once it has closed the file
        libvirt.domain(domain).destroy();
        run(mnt, "qemu-img", "info", s3);
        run(mnt, "qemu-io", "-r", "-f", "qcow2", "-c", "read -P 0xab 0 16M", s3);
    }

    @Test
    void aMergeRefusedByTheRuleLeavesTheGuestAlone() throws Exception {
        String domain = guestWithVolume(16 * MIB);
        String s1 = overlay(base + ".s1", base, "raw", null);
        volumes.snapshotCreate(domain, info(base), UUID.randomUUID().toString(), s1);
        String xml = libvirt.domain(domain).getXMLDesc(0);
        VolumeDriverException e = assertThrows(VolumeDriverException.class, () -> volumes.snapshotDelete(domain, info(base), s1, base, null));
        assertEquals("CHAIN_MISMATCH", e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("is the active file"), e.getMessage());
        assertEquals(xml, libvirt.domain(domain).getXMLDesc(0));
    }

    @Test
    void extendTellsTheGuestOnlyWhatTheFileHolds() throws Exception {
        String domain = guestWithVolume(64 * MIB);
        try (RandomAccessFile file = new RandomAccessFile(mnt.resolve(base).toFile(), "rw")) {
            file.setLength(128 * MIB);
        }
        ExtendResult grown = volumes.extend(domain, info(base), 128 * MIB);
        assertEquals(64 * MIB, grown.oldSizeBytes());
        assertEquals(128 * MIB, libvirt.domain(domain).blockInfo("vdb").getCapacity());
        assertEquals("INVALID_SIZE", assertThrows(VolumeDriverException.class, () -> volumes.extend(domain, info(base), 96 * MIB)).code());
        assertEquals("INVALID_SIZE", assertThrows(VolumeDriverException.class, () -> volumes.extend(domain, info(base), 256 * MIB)).code());
        assertEquals(128 * MIB, libvirt.domain(domain).blockInfo("vdb").getCapacity());

        // qcow2: the virtual size counts; the storage side made the overlay larger than its backing file
        String s1 = overlay(base + ".s1", base, "raw", "256M");
        volumes.snapshotCreate(domain, info(base), UUID.randomUUID().toString(), s1);
        long before = libvirt.domain(domain).blockInfo("vdb").getCapacity();
        ExtendResult qcow2 = volumes.extend(domain, info(base), 256 * MIB);
        assertEquals(before, qcow2.oldSizeBytes());
        assertEquals(256 * MIB, libvirt.domain(domain).blockInfo("vdb").getCapacity());
        assertEquals("INVALID_SIZE", assertThrows(VolumeDriverException.class, () -> volumes.extend(domain, info(base), 512 * MIB)).code());
    }
}
