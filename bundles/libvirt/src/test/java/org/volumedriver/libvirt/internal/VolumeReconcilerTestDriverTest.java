package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.libvirt.internal.LibvirtSettings.ReconcilePolicy;
import org.volumedriver.libvirt.testing.DefinedDomains;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.VolumeLocation;
import org.volumedriver.testsupport.FakeVolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDrivers;
import org.volumedriver.testsupport.TcgDomains;

/**
 * The reconciler against libvirt's in-process test driver: real domains, running and defined,
 * whose disks point into the mounts of fake drivers on a real temporary directory. Drift both ways,
 * the dry run, domain definitions that try to make a driver adopt what is not its volume, and an
 * unreachable libvirt.
 */
class VolumeReconcilerTestDriverTest extends TestDriverFixture {

    static final String VOLUME = "volume-6f2c1b7e-1d8a-4a7e-9c2f-0b3c8e1d5a11";
    static final String OTHER_VOLUME = "volume-0a1b2c3d-1d8a-4a7e-9c2f-0b3c8e1d5a22";

    @TempDir
    Path tmp;

    Path base;
    FakeVolumeDriver fake;
    final DefinedDomains domains = new DefinedDomains();
    final List<VolumeReconcilerImpl> reconcilers = new ArrayList<>();

    @BeforeEach
    void driver() throws Exception {
        base = Files.createDirectory(tmp.resolve("base"));
        fake = FakeVolumeDriver.onBase("fake", base);
    }

    @AfterEach
    void cleanUp() {
        domains.removeAll(libvirt.connect());
        reconcilers.forEach(VolumeReconcilerImpl::deactivate);
    }

    VolumeReconcilerImpl reconciler(boolean releaseOrphans, FakeVolumeDriver... drivers) {
        return reconciler("test:///default", releaseOrphans, drivers);
    }

    VolumeReconcilerImpl reconciler(String uri, boolean releaseOrphans, FakeVolumeDriver... drivers) {
        return reconciler(uri, new ReconcilePolicy(false, Duration.ZERO, releaseOrphans), Duration.ofHours(1), drivers);
    }

    VolumeReconcilerImpl reconciler(String uri, ReconcilePolicy policy, Duration delays, FakeVolumeDriver... drivers) {
        LibvirtSettings settings = new LibvirtSettings(uri, Duration.ofSeconds(1), Duration.ofMillis(50), TestConfigs.defaultPolicy(), policy);
        VolumeReconcilerImpl reconciler = new VolumeReconcilerImpl(FakeVolumeDrivers.of(drivers), LibvirtSessions.withSettings(settings),
                delays, delays);
        reconcilers.add(reconciler);
        return reconciler;
    }

    /** A mount directory of the fake's type, as a mount found on the host. */
    Path mountDirectory(String name) throws Exception {
        Path dir = Files.createDirectory(base.resolve(name));
        fake.mounted(dir, FakeVolumeDriver.FSTYPE);
        return dir;
    }

    static String fileDisk(String source, String dev) {
        return "    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" + source
                + "'/><target dev='" + dev + "' bus='virtio'/></disk>";
    }

    /**
     * @param running whether to start it
     * @param disks its disk elements
     * @return its UUID
     */
    String define(boolean running, String... disks) throws Exception {
        String name = domains.add(TcgDomains.uniqueName("reconcile"));
        Domain domain = libvirt.connect().domainDefineXML(TcgDomains.named(name).devices(String.join("\n", disks)).xml());
        try {
            if (running) {
                domain.create();
            }
            return domain.getUUIDString();
        } finally {
            domain.free();
        }
    }

    static ConnectionInfo info(String export, String volume) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "fake", "data", Map.of("export", export, "name", volume)));
    }

    static List<ReconcileRow> rows(ReconcileReport report, ReconcileAction action) {
        return report.rows().stream().filter(r -> r.action() == action).toList();
    }

    static ReconcileRow only(ReconcileReport report, ReconcileAction action) {
        List<ReconcileRow> rows = rows(report, action);
        assertEquals(1, rows.size(), action + " in " + report.rows());
        return rows.get(0);
    }

    @Test
    void driftBothWays() throws Exception {
        Path dir = mountDirectory("m1");
        String uuid = define(false, fileDisk(dir.resolve(VOLUME).toString(), "vdb"));
        Attachment gone = Attachment.of(OTHER_VOLUME, "gone-vm");
        fake.connect(info("h/v", OTHER_VOLUME), gone);
        String goneDir = FakeVolumeDriver.directory(base, "h/v");

        ReconcileReport first = reconciler(false, fake).reconcile(false);
        assertTrue(first.libvirtReachable(), first.error());
        ReconcileRow adopted = only(first, ReconcileAction.ADOPTED);
        assertEquals(List.of(uuid, dir.toString(), VOLUME, "fake", uuid), List.of(adopted.domainUuid(), adopted.mountDirectory(),
                adopted.volume(), adopted.driver(), adopted.instance()));
        assertTrue(fake.isAttached(Attachment.of(VOLUME, uuid)), "journaled and counted by the driver");
        ReconcileRow drift = only(first, ReconcileAction.DRIFT_KEPT);
        assertEquals(List.of("gone-vm", goneDir, OTHER_VOLUME, ""), List.of(drift.instance(), drift.mountDirectory(), drift.volume(),
                drift.domainUuid()));
        assertTrue(drift.reason().contains("report only"), drift.reason());

        // the next run finds the adopted attachment in the guest and the drift again; nothing changes
        ReconcileReport second = reconciler(false, fake).reconcile(false);
        assertEquals(uuid, only(second, ReconcileAction.UNTOUCHED).instance());
        only(second, ReconcileAction.DRIFT_KEPT);
        assertEquals(List.of("adopt " + Attachment.of(VOLUME, uuid) + " " + dir), fake.adoptsAndReleases());
        assertTrue(fake.isAttached(gone));
    }

    @Test
    void attachmentsConnectedUnderTheDomainNameAndRunningGuestsCount() throws Exception {
        Path dir = mountDirectory("m1");
        String uuid = define(true, fileDisk(dir.resolve(VOLUME).toString(), "vdb"));
        String name = libvirt.connect().domainLookupByUUIDString(uuid).getName();
        fake.adopt(new VolumeLocation(dir.toString(), VOLUME), Attachment.of(VOLUME, name));
        fake.calls.clear();
        ReconcileReport report = reconciler(true, fake).reconcile(false);
        ReconcileRow untouched = only(report, ReconcileAction.UNTOUCHED);
        assertEquals(List.of(name, uuid, name), List.of(untouched.instance(), untouched.domainUuid(), untouched.domainName()));
        assertEquals(1, report.rows().size(), report.rows().toString());
        assertEquals(List.of(), fake.adoptsAndReleases());
    }

    @Test
    void confirmedDriftIsReleasedOnlyWhenConfiguredAndTheDryRunChangesNothing() throws Exception {
        Path dir = mountDirectory("m1");
        define(false, fileDisk(dir.resolve(VOLUME).toString(), "vdb"));
        Attachment gone = Attachment.of(OTHER_VOLUME, "gone-vm");
        fake.connect(info("h/v", OTHER_VOLUME), gone);
        VolumeReconcilerImpl reconciler = reconciler(true, fake);

        // a dry run decides everything and changes nothing, and is no first sighting of the drift
        List<MountStatus> before = fake.mounts();
        ReconcileReport dry = reconciler.reconcile(true);
        assertTrue(dry.dryRun());
        assertEquals("dry run: would adopt", only(dry, ReconcileAction.ADOPTED).reason());
        only(dry, ReconcileAction.DRIFT_KEPT);
        assertEquals(before, fake.mounts());
        assertEquals(List.of(), fake.adoptsAndReleases());

        ReconcileReport first = reconciler.reconcile(false);
        assertTrue(only(first, ReconcileAction.DRIFT_KEPT).reason().contains("found now"), first.rows().toString());
        ReconcileReport confirmedDry = reconciler.reconcile(true);
        assertEquals("dry run: would release (in no guest twice in a row)", only(confirmedDry, ReconcileAction.DRIFT_RELEASED).reason());
        assertTrue(fake.isAttached(gone), "the dry run released nothing");

        ReconcileReport second = reconciler.reconcile(false);
        ReconcileRow released = only(second, ReconcileAction.DRIFT_RELEASED);
        assertTrue(released.reason().endsWith("released, UNMOUNTED"), released.reason());
        assertFalse(fake.isAttached(gone));
        assertEquals(1, fake.adoptsAndReleases().stream().filter(c -> c.startsWith("release ")).count());
        assertTrue(rows(reconciler.reconcile(false), ReconcileAction.DRIFT_KEPT).isEmpty());
    }

    @Test
    void driftThatAGuestUsesAgainBeforeTheReleaseIsKept() throws Exception {
        Attachment attachment = Attachment.of(OTHER_VOLUME, "later-vm");
        fake.connect(info("h/v", OTHER_VOLUME), attachment);
        VolumeReconcilerImpl reconciler = reconciler(true, fake);
        only(reconciler.reconcile(false), ReconcileAction.DRIFT_KEPT);
        // the guest appears between two reconciliations, under the name the attachment was made with
        Path file = Path.of(FakeVolumeDriver.directory(base, "h/v"), OTHER_VOLUME);
        String name = domains.add("later-vm");
        libvirt.connect().domainDefineXML(TcgDomains.named(name).devices(fileDisk(file.toString(), "vdc")).xml()).free();
        ReconcileReport report = reconciler.reconcile(false);
        assertTrue(rows(report, ReconcileAction.DRIFT_RELEASED).isEmpty(), report.rows().toString());
        assertTrue(fake.isAttached(attachment));
    }

    @Test
    void hostileDiskSourcesAreReportedAndNeverAdopted() throws Exception {
        Path dir = mountDirectory("m1");
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path link = Files.createSymbolicLink(base.resolve("link"), outside);
        fake.mounted(link, FakeVolumeDriver.FSTYPE);
        Path nfs = Files.createDirectory(base.resolve("nfs"));
        fake.mounted(nfs, "nfs4");
        Path otherBase = Files.createDirectory(tmp.resolve("other-base"));
        FakeVolumeDriver other = FakeVolumeDriver.onBase("other", otherBase);
        Files.createDirectory(otherBase.resolve("m2"));
        Path symlinkedFile = Files.createSymbolicLink(dir.resolve(OTHER_VOLUME), outside.resolve("secret"));

        define(false,
                fileDisk(dir + "/../m1/" + VOLUME, "vdb"),
                fileDisk(link.resolve(VOLUME).toString(), "vdc"),
                fileDisk(nfs.resolve(VOLUME).toString(), "vdd"),
                fileDisk(otherBase.resolve("m2").resolve(VOLUME).toString(), "vde"),
                fileDisk(symlinkedFile.toString(), "vdf"),
                "    <disk type='block' device='disk'><source dev='" + dir.resolve("block") + "'/><target dev='vdg' bus='virtio'/></disk>");
        // the block disk is reported only below a recorded mount
        fake.adopt(new VolumeLocation(dir.toString(), "volume-recorded"), Attachment.of("volume-recorded", "someone"));
        fake.calls.clear();

        ReconcileReport report = reconciler(false, fake, other).reconcile(false);
        List<ReconcileRow> rejected = rows(report, ReconcileAction.REJECTED);
        assertEquals(6, rejected.size(), report.rows().toString());
        assertTrue(rows(report, ReconcileAction.ADOPTED).isEmpty(), report.rows().toString());
        assertEquals(List.of(), fake.adoptsAndReleases());
        assertEquals(List.of(), other.adoptsAndReleases());
        assertReason(rejected, dir + "/../m1/" + VOLUME, "", "a '..' component");
        assertReason(rejected, link.resolve(VOLUME).toString(), "fake", "a symlink leads elsewhere");
        assertReason(rejected, nfs.resolve(VOLUME).toString(), "fake", "a nfs4 mount, not fuse.fake");
        assertReason(rejected, otherBase.resolve("m2").resolve(VOLUME).toString(), "other", "not mounted");
        assertReason(rejected, symlinkedFile.toString(), "fake", "the volume file is a symlink");
        assertReason(rejected, dir.resolve("block").toString(), "fake", "only file disks are volumes");
        // the '..' source never reached a driver
        assertTrue(fake.calls.stream().noneMatch(c -> c.contains("..")), fake.calls.toString());
    }

    private static void assertReason(List<ReconcileRow> rows, String source, String driver, String reason) {
        Optional<ReconcileRow> row = rows.stream().filter(r -> r.source().equals(source)).findFirst();
        assertTrue(row.isPresent(), source + " not rejected: " + rows);
        assertEquals(driver, row.get().driver(), row.get().toString());
        assertTrue(row.get().reason().contains(reason), row.get().toString());
    }

    @Test
    void aDriverCannotClaimAPathOfAnotherDriverOrAnswerForAnotherPath() throws Exception {
        Path dir = mountDirectory("m1");
        FakeVolumeDriver greedy = new FakeVolumeDriver("greedy") {
            @Override
            public Optional<VolumeLocation> ownerOf(Path source) {
                // claims everything below the other driver's base (and nothing of the test driver's own domain)
                return source.startsWith(base) ? Optional.of(new VolumeLocation(source.getParent().toString(), source.getFileName().toString()))
                        : Optional.empty();
            }
        };
        define(false, fileDisk(dir.resolve(VOLUME).toString(), "vdb"));
        ReconcileReport twoClaims = reconciler(false, fake, greedy).reconcile(false);
        ReconcileRow claimed = only(twoClaims, ReconcileAction.REJECTED);
        assertEquals(List.of("fake,greedy", "claimed by more than one driver"), List.of(claimed.driver(), claimed.reason()));

        FakeVolumeDriver liar = new FakeVolumeDriver("liar") {
            @Override
            public Optional<VolumeLocation> ownerOf(Path source) {
                return source.startsWith(base) ? Optional.of(new VolumeLocation("/elsewhere", "volume-1")) : Optional.empty();
            }
        };
        ReconcileReport wrongAnswer = reconciler(false, liar).reconcile(false);
        assertTrue(only(wrongAnswer, ReconcileAction.REJECTED).reason().startsWith("the driver answered another path"));
        assertEquals(List.of(), fake.adoptsAndReleases());
        assertEquals(List.of(), greedy.adoptsAndReleases());
        assertEquals(List.of(), liar.adoptsAndReleases());
    }

    @Test
    void aDriverWithoutAdoptionAndAnUnhealthyMountFailWithoutChangingAnything() throws Exception {
        Path dir = mountDirectory("m1");
        String uuid = define(false, fileDisk(dir.resolve(VOLUME).toString(), "vdb"));
        fake.withoutReconciliation();
        ReconcileRow failed = only(reconciler(false, fake).reconcile(false), ReconcileAction.FAILED);
        assertEquals(uuid, failed.domainUuid());
        assertTrue(failed.reason().startsWith("adopt failed: NOT_SUPPORTED: "), failed.reason());
        assertEquals(List.of(), fake.mounts());
    }

    @Test
    void anUnreachableLibvirtIsReportedAndNothingChanges() throws Exception {
        Path dir = mountDirectory("m1");
        define(false, fileDisk(dir.resolve(VOLUME).toString(), "vdb"));
        Attachment gone = Attachment.of(OTHER_VOLUME, "gone-vm");
        fake.connect(info("h/v", OTHER_VOLUME), gone);
        List<MountStatus> before = fake.mounts();
        fake.calls.clear();
        ReconcileReport report = reconciler("test://" + tmp.resolve("no-such-node.xml"), true, fake).reconcile(false);
        assertFalse(report.libvirtReachable());
        assertTrue(report.error().contains("connect to test://"), report.error());
        assertEquals(List.of(), report.rows());
        assertEquals(before, fake.mounts());
        assertEquals(List.of(), fake.adoptsAndReleases());
    }

    @Test
    void driversComingUpTriggerOneReconciliationAndTheIntervalMore() throws Exception {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        FakeVolumeDriver counting = new FakeVolumeDriver("fake") {
            @Override
            public synchronized List<MountStatus> mounts() {
                runs.incrementAndGet(); // each reconciliation reads the records once
                return super.mounts();
            }
        };
        Duration delay = Duration.ofMillis(100);
        VolumeReconcilerImpl atStart = reconciler("test:///default", new ReconcilePolicy(true, Duration.ZERO, false), delay, counting);
        atStart.driverCame(counting, Map.of());
        atStart.driverCame(new FakeVolumeDriver("other"), Map.of());
        waitFor(() -> runs.get() >= 1);
        Thread.sleep(500);
        assertEquals(1, runs.get(), "drivers that come together get one reconciliation");
        atStart.deactivate();

        runs.set(0);
        VolumeReconcilerImpl notAtStart = reconciler("test:///default", new ReconcilePolicy(false, Duration.ZERO, false), delay, counting);
        notAtStart.driverCame(counting, Map.of());
        Thread.sleep(500);
        assertEquals(0, runs.get(), "reconcile.at.start=false");
        notAtStart.deactivate();

        VolumeReconcilerImpl every = reconciler("test:///default", new ReconcilePolicy(false, Duration.ofMillis(200), false), delay, counting);
        waitFor(() -> runs.get() >= 2);
        every.deactivate();
        int after = runs.get();
        Thread.sleep(500);
        assertEquals(after, runs.get(), "a stopped reconciler runs no more");
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(20);
        }
    }

    @Test
    void aDomainThatGoesAwayWhileListedIsLeftOut() throws Exception {
        Path dir = mountDirectory("m1");
        String uuid = define(false, fileDisk(dir.resolve(VOLUME).toString(), "vdb"));
        try (Libvirt session = Libvirt.open("test:///default")) {
            List<DomainScan.ScannedDomain> all = DomainScan.scan(session);
            assertTrue(all.stream().anyMatch(d -> d.guest().uuid().equals(uuid) && d.problem().isEmpty()));
            assertEquals(Set.of(true), Set.copyOf(all.stream().map(d -> d.problem().isEmpty()).toList()));
        }
    }
}
