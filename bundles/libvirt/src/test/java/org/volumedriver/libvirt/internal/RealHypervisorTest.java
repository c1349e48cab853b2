package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.testing.DefinedDomains;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.testsupport.FakeVolumeDriver;
import org.volumedriver.testsupport.RealTests;
import org.volumedriver.testsupport.TcgDomains;

/**
 * Against a real libvirtd with the QEMU driver (TCG, no KVM): a tiny guest without an operating
 * system, started from nothing, gets real disk files attached live and persistently.
 * Start the daemons with {@code scripts/hypervisor-sandbox start} (scripts/test does).
 */
class RealHypervisorTest {

    static final Path SOCKET = Path.of("/run/libvirt/libvirt-sock");
    static final Duration DETACH_WAIT = Duration.ofSeconds(1);

    @TempDir
    Path temp;

    private Path volumes;
    private FakeVolumeDriver driver;
    private VolumeAttacherImpl attacher;
    private Libvirt libvirt;
    private final DefinedDomains domains = new DefinedDomains();

    @BeforeAll
    static void hypervisorPresent() {
        RealTests.require(RealTests.isRoot(), "the real hypervisor tests need root");
        Prerequisites.requireLibvirt();
        RealTests.require(Files.exists(SOCKET), "no libvirtd socket at " + SOCKET + ": run scripts/hypervisor-sandbox start");
    }

    @BeforeEach
    void setUp() throws Exception {
        // QEMU runs as libvirt-qemu: it must be able to reach and open the files
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        volumes = Files.createDirectory(temp.resolve("mnt"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        driver = new FakeVolumeDriver("fake", volumes, "raw");
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        drivers.addDriver(driver, Map.of("service.id", 1L, "volume.driver.type", "fake"));
        attacher = VolumeAttacherImpl.withSettings(drivers, new LibvirtSettings("qemu:///system", DETACH_WAIT, Duration.ofMillis(100),
                TestConfigs.policy(Map.of("source_types", new String[] {"fake=file"}))));
        libvirt = Libvirt.open("qemu:///system");
    }

    @AfterEach
    void tearDown() {
        if (libvirt != null) {
            domains.removeAll(libvirt.connect());
            libvirt.close();
        }
    }

    private String volume(String name) throws IOException {
        Path file = volumes.resolve(name);
        Files.write(file, new byte[1024 * 1024]);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return name;
    }

    private static ConnectionInfo info(String volume) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "fake", "data", Map.of("export", "quobyte://h/v", "name", volume)));
    }

    /** A persistent qemu (TCG) domain: 64 MiB, no disk, no graphics, ACPI for hot-plug. */
    private Domain define() throws Exception {
        String name = domains.add(TcgDomains.uniqueName("vdtest"));
        return libvirt.connect().domainDefineXML(TcgDomains.named(name).runnable().xml());
    }

    private static Optional<DomainXml.Disk> disk(Domain dom, int flags, String source) throws Exception {
        return DomainXml.disks(dom.getXMLDesc(flags)).stream().filter(d -> d.source().equals(Optional.of(source))).findFirst();
    }

    @Test
    void liveAttachToARunningGuestAndAGuestThatNeverReleases() throws Exception {
        Domain dom = define();
        dom.create();
        String volume = volume("volume-" + UUID.randomUUID());
        Attachment attachment = Attachment.of(volume, "instance-live");
        String source = volumes.resolve(volume).toString();

        AttachResult attached = attacher.attach(dom.getName(), info(volume), attachment, "vdb", "virtio", AttachMode.LIVE);

        assertEquals(AttachMode.LIVE, attached.mode());
        DomainXml.Disk live = disk(dom, 0, source).orElseThrow(() -> new AssertionError("disk not in the live XML"));
        assertEquals("vdb", live.targetDev());
        assertEquals(Optional.of("virtio"), live.targetBus());
        assertEquals(Optional.empty(), disk(dom, Guest.XML_INACTIVE, source), "a live attach must not touch the definition");
        assertEquals(List.of("connect " + attachment), driver.connectsAndDisconnects());

        // attaching the same disk again is refused before the volume is touched
        org.volumedriver.libvirt.InvalidDiskSpecException again = assertThrows(org.volumedriver.libvirt.InvalidDiskSpecException.class,
                () -> attacher.attach(dom.getName(), info(volume), attachment, "vdc", "virtio", AttachMode.LIVE));
        assertEquals("disk.source.path", again.field());
        assertEquals(List.of("connect " + attachment), driver.connectsAndDisconnects());

        // no operating system answers the ACPI unplug request: bounded wait, own outcome, volume stays connected
        long start = System.nanoTime();
        DetachResult detach = attacher.detach(dom.getName(), info(volume), attachment, AttachMode.LIVE);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(DetachOutcome.NOT_RELEASED, detach.outcome());
        assertEquals(Optional.empty(), detach.disconnect());
        assertTrue(detach.waited().compareTo(DETACH_WAIT) >= 0, "waited " + detach.waited());
        assertTrue(took.compareTo(DETACH_WAIT.plusSeconds(10)) < 0, "took " + took);
        assertEquals(List.of("connect " + attachment), driver.connectsAndDisconnects(), "the volume must stay connected");
        assertTrue(disk(dom, 0, source).isPresent(), "the guest still has the device");
    }

    @Test
    void aRunningQemuGuestIsSeenUsingTheMountAndItsDiskIsReconciled() throws Exception {
        Domain dom = define();
        dom.create();
        String volume = volume("volume-" + UUID.randomUUID());
        attacher.attach(dom.getName(), info(volume), Attachment.of(volume, dom.getName()), "vdb", "virtio", AttachMode.LIVE);
        LibvirtSettings settings = new LibvirtSettings("qemu:///system", DETACH_WAIT, Duration.ofMillis(100), TestConfigs.defaultPolicy(),
                new LibvirtSettings.ReconcilePolicy(false, Duration.ZERO, true));
        try (LibvirtSessions sessions = LibvirtSessions.withSettings(settings)) {
            GuestUsageImpl usage = new GuestUsageImpl(sessions);
            assertEquals(List.of(dom.getName()), usage.guestsUsing(volumes).stream().map(g -> g.name()).toList());
            assertEquals(List.of(), usage.guestsUsing(temp.resolve("elsewhere")));

            // recorded under the domain's name: untouched; a driver that lost its records adopts it under the UUID
            VolumeReconcilerImpl reconciler = new VolumeReconcilerImpl(org.volumedriver.testsupport.FakeVolumeDrivers.of(driver), sessions);
            FakeVolumeDriver forgetful = new FakeVolumeDriver("fake", volumes, "raw");
            forgetful.mounted(volumes, FakeVolumeDriver.FSTYPE);
            VolumeReconcilerImpl afterLoss = new VolumeReconcilerImpl(org.volumedriver.testsupport.FakeVolumeDrivers.of(forgetful), sessions);
            try {
                org.volumedriver.libvirt.ReconcileReport report = reconciler.reconcile(false);
                assertEquals(1, report.count(org.volumedriver.libvirt.ReconcileAction.UNTOUCHED), report.rows().toString());
                assertEquals(1, report.rows().size(), report.rows().toString());
                org.volumedriver.libvirt.ReconcileReport adopted = afterLoss.reconcile(false);
                assertEquals(1, adopted.count(org.volumedriver.libvirt.ReconcileAction.ADOPTED), adopted.rows().toString());
                assertTrue(forgetful.isAttached(Attachment.of(volume, dom.getUUIDString())));
            } finally {
                reconciler.deactivate();
                afterLoss.deactivate();
            }
        }
    }

    @Test
    void liveDetachCompletesWhenTheGuestStops() throws Exception {
        Domain dom = define();
        dom.create();
        String volume = volume("volume-" + UUID.randomUUID());
        Attachment attachment = Attachment.of(volume, "instance-stop");
        attacher.attach(dom.getName(), info(volume), attachment, "vdc", "virtio", AttachMode.LIVE);
        dom.destroy();
        DetachResult detach = attacher.detach(dom.getName(), info(volume), attachment, AttachMode.LIVE);
        // the device went with the guest: nothing to detach, the volume is disconnected
        assertEquals(DetachOutcome.NOT_ATTACHED, detach.outcome());
        assertEquals(Optional.of(DisconnectOutcome.UNMOUNTED), detach.disconnect());
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
    }

    @Test
    void persistentAttachAndDetachOnAStoppedDomain() throws Exception {
        Domain dom = define();
        String volume = volume("volume-" + UUID.randomUUID());
        Attachment attachment = Attachment.of(volume, "instance-config");
        String source = volumes.resolve(volume).toString();

        attacher.attach(dom.getName(), info(volume), attachment, "vdb", "virtio", AttachMode.CONFIG);
        DomainXml.Disk persistent = disk(dom, Guest.XML_INACTIVE, source)
                .orElseThrow(() -> new AssertionError("disk not in the persistent definition"));
        assertEquals("vdb", persistent.targetDev());

        DetachResult detach = attacher.detach(dom.getName(), info(volume), attachment, AttachMode.CONFIG);
        assertEquals(DetachOutcome.DETACHED, detach.outcome());
        assertEquals(Optional.empty(), disk(dom, Guest.XML_INACTIVE, source));
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
    }

    @Test
    void liveAndPersistentAttachToARunningGuest() throws Exception {
        Domain dom = define();
        dom.create();
        String volume = volume("volume-" + UUID.randomUUID());
        Attachment attachment = Attachment.of(volume, "instance-both");
        String source = volumes.resolve(volume).toString();
        attacher.attach(dom.getName(), info(volume), attachment, "sdb", "scsi", AttachMode.LIVE_AND_CONFIG);
        assertTrue(disk(dom, 0, source).isPresent());
        assertTrue(disk(dom, Guest.XML_INACTIVE, source).isPresent());

        // persistent-only detach while the guest still uses it: the volume must stay connected
        DetachResult configOnly = attacher.detach(dom.getName(), info(volume), attachment, AttachMode.CONFIG);
        assertEquals(DetachOutcome.STILL_REFERENCED, configOnly.outcome());
        assertEquals(Optional.empty(), configOnly.disconnect());
        assertEquals(Optional.empty(), disk(dom, Guest.XML_INACTIVE, source));
        assertTrue(disk(dom, 0, source).isPresent());
        assertEquals(List.of("connect " + attachment), driver.connectsAndDisconnects());
    }

    @Test
    void aLiveDetachKeepsTheVolumeWhileTheDefinitionStillNeedsIt() throws Exception {
        Domain dom = define();
        String volume = volume("volume-" + UUID.randomUUID());
        Attachment attachment = Attachment.of(volume, "instance-defined");
        String source = volumes.resolve(volume).toString();
        attacher.attach(dom.getName(), info(volume), attachment, "vdb", "virtio", AttachMode.CONFIG);
        // the domain is not running: a live detach finds nothing live, but the definition still uses the disk
        DetachResult liveOnly = attacher.detach(dom.getName(), info(volume), attachment, AttachMode.LIVE);
        assertEquals(DetachOutcome.STILL_REFERENCED, liveOnly.outcome());
        assertTrue(disk(dom, Guest.XML_INACTIVE, source).isPresent());
        assertEquals(List.of("connect " + attachment), driver.connectsAndDisconnects());
        // repeating the detach over both views releases it
        assertEquals(DetachOutcome.DETACHED, attacher.detach(dom.getName(), info(volume), attachment, AttachMode.LIVE_AND_CONFIG).outcome());
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
    }

    @Test
    void aFailedLiveAttachDisconnectsTheVolume() throws Exception {
        Domain dom = define();
        dom.create();
        // QEMU cannot open a file that does not exist: the hypervisor refuses the attach
        String missing = "volume-" + UUID.randomUUID();
        Attachment attachment = Attachment.of(missing, "instance-fail");
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> attacher.attach(dom.getName(), info(missing), attachment, "vdb", "virtio", AttachMode.LIVE));
        assertEquals("attach", e.operation());
        assertTrue(e.errorCode() > 0, "libvirt error code " + e.errorCode());
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
        assertEquals(Optional.empty(), disk(dom, 0, volumes.resolve(missing).toString()));
    }

    @Test
    void aLiveAttachToAStoppedDomainIsRefusedAndUndone() throws Exception {
        Domain dom = define();
        String volume = volume("volume-" + UUID.randomUUID());
        Attachment attachment = Attachment.of(volume, "instance-stopped");
        HypervisorException e = assertThrows(HypervisorException.class,
                () -> attacher.attach(dom.getName(), info(volume), attachment, "vdb", "virtio", AttachMode.LIVE));
        // VIR_ERR_OPERATION_INVALID: the domain is not running
        assertEquals(55, e.errorCode(), e.getMessage());
        assertEquals(List.of("connect " + attachment, "disconnect " + attachment), driver.connectsAndDisconnects());
    }
}
