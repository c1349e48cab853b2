package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.osgi.service.event.Event;
import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.libvirt.internal.DiskPolicy;
import org.volumedriver.libvirt.internal.GuestUsageImpl;
import org.volumedriver.libvirt.internal.Libvirt;
import org.volumedriver.libvirt.internal.LibvirtConfig;
import org.volumedriver.libvirt.internal.LibvirtSessions;
import org.volumedriver.libvirt.internal.LibvirtSettings;
import org.volumedriver.libvirt.internal.Telemetry;
import org.volumedriver.libvirt.internal.VolumeDriversImpl;
import org.volumedriver.libvirt.internal.VolumeReconcilerImpl;
import org.volumedriver.libvirt.testing.DefinedDomains;
import org.volumedriver.quobyte.internal.MountEntry;
import org.volumedriver.quobyte.internal.MountLayout;
import org.volumedriver.quobyte.internal.MountTable;
import org.volumedriver.quobyte.internal.QuobyteConfig;
import org.volumedriver.quobyte.internal.QuobyteVolumeDriver;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.VolumeEvents;
import org.volumedriver.spi.VolumeLocation;
import org.volumedriver.testsupport.ComponentConfigs;
import org.volumedriver.testsupport.RealTests;
import org.volumedriver.testsupport.RecordingEventAdmin;
import org.volumedriver.testsupport.ShippedExecutor;
import org.volumedriver.testsupport.TcgDomains;

/**
 * libvirt as the truth about attachments (F5, F6), on a real libvirtd with TCG guests: a host moved
 * from Nova, whose guests run on a Quobyte mount this driver did not make, and a journal lost while
 * guests run. The libvirt bundle's own reconciler and guest-usage check are used as they run in
 * Karaf (constructed directly, without a framework), against the Quobyte driver with the real
 * executor and the FUSE stand-in.
 */
class AdoptionOnQemuTest {

    static final String EXPORT = "registry.example.org:7861/adopted-volume";
    static final String QEMU_GROUP = QuobyteVolumeOnQemuTest.QEMU_GROUP;

    @TempDir
    Path tmp;
    Path standin;
    Path store;
    Path base;
    Path mountDir;
    Path journal;
    ProcessCommandExecutor executor;
    LibvirtSessions sessions;
    GuestUsageImpl guestUsage;
    VolumeDriversImpl drivers;
    VolumeReconcilerImpl reconciler;
    final RecordingEventAdmin events = new RecordingEventAdmin();
    QuobyteVolumeDriver quobyte;
    Libvirt libvirt;
    final DefinedDomains domains = new DefinedDomains();

    @BeforeAll
    static void prerequisites() {
        RealTests.onlyWhenRequired("the adoption test")
                .needFuseStandin()
                .need(Files.exists(QuobyteVolumeOnQemuTest.SOCKET), "libvirtd (scripts/hypervisor-sandbox start)")
                .check();
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        standin = Files.copy(Path.of(System.getProperty("quobyte.standin")), bin.resolve("quobyte-standin"),
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(standin, PosixFilePermissions.fromString("rwxr-xr-x"));
        store = Files.createDirectories(bin.resolve("store").resolve(EXPORT.replace('/', '_').replace(':', '_')));
        executor = new ProcessCommandExecutor(ExecutorSettings.fromProperties(ShippedExecutor.properties(standin)));
        base = tmp.resolve("mnt");
        mountDir = base.resolve(MountLayout.hash(EXPORT));
        journal = base.resolve(".volumedriver").resolve("attachments.journal");
        sessions = LibvirtSessions.withSettings(new LibvirtSettings("qemu:///system", Duration.ofSeconds(2), Duration.ofMillis(100),
                DiskPolicy.from(ComponentConfigs.defaults(LibvirtConfig.class)),
                new LibvirtSettings.ReconcilePolicy(false, Duration.ZERO, false)));
        guestUsage = new GuestUsageImpl(sessions);
        drivers = new VolumeDriversImpl();
        reconciler = new VolumeReconcilerImpl(drivers, sessions, Telemetry.with(events, null));
        libvirt = Libvirt.open("qemu:///system");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (libvirt != null) {
            domains.removeAll(libvirt.connect());
            libvirt.close();
        }
        if (reconciler != null) {
            reconciler.deactivate();
        }
        stopDriver();
        if (mountedEntry().isPresent()) {
            new ProcessBuilder("/usr/bin/umount", "-l", mountDir.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
        if (sessions != null) {
            sessions.close();
        }
        if (executor != null) {
            executor.close();
        }
    }

    /**
     * A host moved from Nova: Nova mounted the export at {@code <base>/<md5>} and a guest runs with a
     * volume file on it; this driver starts with an empty journal. Before reconciling, the guard
     * alone keeps the mount when an unrelated attachment leaves; the reconciliation adopts the
     * guest's disk (no command runs, the mount stays the one Nova made), after which such a
     * disconnect leaves other attachments in place; once the guest is gone, the last disconnect
     * unmounts.
     */
    @Test
    void aGuestOnAMountNovaLeftIsAdoptedAndTheMountStaysUntilTheGuestIsGone() throws Exception {
        String guestVolume = newVolume();
        String otherVolume = newVolume();
        mountByHandAsNovaDid();
        MountEntry novas = mountedEntry().orElseThrow();
        Domain guest = startGuest("vdnova", guestVolume);
        String uuid = guest.getUUIDString();

        startDriver(true);
        assertEquals(0, quobyte.mounts().stream().mapToInt(m -> m.attachments().size()).sum(), "the journal is empty");

        // before any reconciliation: the first disconnect of an unrelated attachment does not unmount under the guest
        ConnectionInfo other = info(otherVolume);
        quobyte.connect(other, new Attachment(otherVolume, "unrelated-instance"));
        assertEquals(DisconnectOutcome.KEPT_IN_USE_BY_GUEST, quobyte.disconnect(other, new Attachment(otherVolume, "unrelated-instance")));
        assertTrue(mountedEntry().isPresent());
        assertTrue(status().detail().contains("kept: in use by guest " + guest.getName() + " (" + uuid + ")"), status().detail());

        ReconcileReport report = reconciler.reconcile(false);
        assertTrue(report.libvirtReachable(), report.error());
        System.out.println("[adoption] reconciliation of " + report.domains() + " domain(s) took " + report.took().toMillis() + " ms");
        ReconcileRow adopted = rowFor(report, mountDir.resolve(guestVolume));
        assertEquals(ReconcileAction.ADOPTED, adopted.action(), adopted.toString());
        assertEquals(uuid, adopted.instance());
        Event adoption = events.last(VolumeEvents.RECONCILE_DRIFT);
        assertEquals(ReconcileAction.ADOPTED.name(), adoption.getProperty(VolumeEvents.ACTION), "a platform hears of the adoption");
        assertEquals(List.of(guestVolume, uuid, mountDir.toString()), List.of(adoption.getProperty(VolumeEvents.VOLUME),
                adoption.getProperty(VolumeEvents.INSTANCE), adoption.getProperty(VolumeEvents.MOUNT_DIRECTORY)));
        Attachment guestAttachment = new Attachment(guestVolume, uuid);
        assertEquals(Set.of(guestAttachment), status().attachments());
        assertEquals(novas.id(), mountedEntry().orElseThrow().id(), "the mount Nova made, adopted as it is");
        assertEquals(0L, runs("mount.quobyte") + runs("umount"), "no command ran");
        assertEquals(ReconcileAction.UNTOUCHED, rowFor(reconciler.reconcile(false), mountDir.resolve(guestVolume)).action());

        // after it: an unrelated attachment comes and goes, the guest's stays
        quobyte.connect(other, new Attachment(otherVolume, "unrelated-instance"));
        assertEquals(DisconnectOutcome.STILL_IN_USE, quobyte.disconnect(other, new Attachment(otherVolume, "unrelated-instance")));
        assertTrue(mountedEntry().isPresent());

        // Nova deletes an instance: destroy and undefine; then the last disconnect unmounts
        guest.destroy();
        guest.undefine();
        assertEquals(DisconnectOutcome.UNMOUNTED, quobyte.disconnect(info(guestVolume), guestAttachment));
        assertFalse(mountedEntry().isPresent());
        assertFalse(Files.exists(mountDir));
    }

    /**
     * The guard without a running QEMU: a guest that is only defined holds no file open, so the
     * kernel would let the unmount through and the guest would find its disk gone at its next
     * start. Without the guest-usage service (the fault) the disconnect unmounts; with it the
     * mount stays until the definition is gone, and then the watchdog's pass (here the repeated
     * disconnect) unmounts.
     */
    @Test
    void aDefinedGuestKeepsItsMountOnlyWithTheGuard() throws Exception {
        String volume = newVolume();
        String definedName = domains.add(TcgDomains.uniqueName("vddefined"));
        libvirt.connect().domainDefineXML(TcgDomains.named(definedName).runnable().devices(disk(mountDir.resolve(volume), "vdb")).xml());
        ConnectionInfo info = info(volume);
        Attachment attachment = new Attachment(volume, "connected-by-name");

        startDriver(false);
        quobyte.connect(info, attachment);
        assertEquals(DisconnectOutcome.UNMOUNTED, quobyte.disconnect(info, attachment), "the fault: unmounted under a defined guest");

        quobyte.bindGuestUsage(guestUsage);
        quobyte.connect(info, attachment);
        assertEquals(DisconnectOutcome.KEPT_IN_USE_BY_GUEST, quobyte.disconnect(info, attachment));
        assertTrue(mountedEntry().isPresent());
        assertTrue(status().detail().contains(definedName), status().detail());
        assertEquals(DisconnectOutcome.NOT_ATTACHED, quobyte.disconnect(info, attachment), "kept again while it is defined");
        assertTrue(mountedEntry().isPresent());

        libvirt.connect().domainLookupByName(definedName).undefine();
        assertEquals(DisconnectOutcome.UNMOUNTED, quobyte.disconnect(info, attachment), "no guest uses it any more");
        assertFalse(mountedEntry().isPresent());
    }

    /**
     * The journal is deleted while guests run; the driver restarts with no record of them. The
     * reconciliation restores every attachment (under the domain UUIDs the guests were connected
     * with), journals them, and a further restart recovers them from the journal alone.
     */
    @Test
    void aJournalDeletedWhileGuestsRunIsRestoredByReconcilingAfterARestart() throws Exception {
        List<String> volumes = List.of(newVolume(), newVolume(), newVolume());
        startDriver(true);
        String firstName = domains.add(TcgDomains.uniqueName("vdjournal"));
        String secondName = domains.add(TcgDomains.uniqueName("vdjournal"));
        String firstUuid = UUID.randomUUID().toString();
        String secondUuid = UUID.randomUUID().toString();
        Set<Attachment> connected = new TreeSet<>(List.of(new Attachment(volumes.get(0), firstUuid),
                new Attachment(volumes.get(1), firstUuid), new Attachment(volumes.get(2), secondUuid)));
        for (Attachment a : connected) {
            quobyte.connect(info(a.volume()), a);
        }
        Domain first = start(firstName, firstUuid, disk(mountDir.resolve(volumes.get(0)), "vdb") + disk(mountDir.resolve(volumes.get(1)), "vdc"));
        Domain second = start(secondName, secondUuid, disk(mountDir.resolve(volumes.get(2)), "vdb"));
        assertEquals(connected, status().attachments());

        // the driver stops (it writes a last snapshot), and the journal is lost while the guests run on
        stopDriver();
        Files.delete(journal);
        Files.deleteIfExists(journal.resolveSibling(journal.getFileName() + ".log"));
        startDriver(true);
        assertEquals(Set.of(), status().attachments(), "the restart finds no journal");

        ReconcileReport report = reconciler.reconcile(false);
        System.out.println("[lost journal] reconciliation of " + report.domains() + " domain(s) restored 3 attachments in "
                + report.took().toMillis() + " ms");
        List<ReconcileRow> ours = report.rows().stream().filter(r -> r.mountDirectory().equals(mountDir.toString())).toList();
        assertEquals(List.of(ReconcileAction.ADOPTED, ReconcileAction.ADOPTED, ReconcileAction.ADOPTED),
                ours.stream().map(ReconcileRow::action).toList(), ours.toString());
        assertEquals(connected, status().attachments(), "every attachment restored");

        stopDriver();
        startDriver(true);
        assertEquals(connected, status().attachments(), "journaled: a restart recovers them without reconciling");
        assertEquals(1L, runs("mount.quobyte"), "one mount all along");

        first.destroy();
        second.destroy();
        List<DisconnectOutcome> outcomes = new ArrayList<>();
        for (Attachment a : connected) {
            outcomes.add(quobyte.disconnect(info(a.volume()), a));
        }
        // the definitions still name the files: the guard keeps the mount until they are gone
        assertEquals(List.of(DisconnectOutcome.STILL_IN_USE, DisconnectOutcome.STILL_IN_USE, DisconnectOutcome.KEPT_IN_USE_BY_GUEST),
                outcomes);
        first.undefine();
        second.undefine();
        assertEquals(DisconnectOutcome.UNMOUNTED, quobyte.disconnect(info(volumes.get(0)), new Attachment(volumes.get(0), firstUuid)));
        assertFalse(mountedEntry().isPresent());
    }

    // ---------------------------------------------------------------- fixtures

    private String newVolume() throws Exception {
        String volume = "volume-" + UUID.randomUUID();
        Files.write(store.resolve(volume), new byte[1024 * 1024]);
        return volume;
    }

    private static ConnectionInfo info(String volume) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte",
                "data", Map.of("export", "quobyte://" + EXPORT, "name", volume, "format", "raw")));
    }

    /** What Nova leaves: {@code <base>/<md5>} mounted by the client, base reachable by QEMU's group. */
    private void mountByHandAsNovaDid() throws Exception {
        Files.createDirectories(mountDir);
        GroupPrincipal qemu = base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(QEMU_GROUP);
        for (Path p : List.of(base, mountDir)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-x---"));
            Files.getFileAttributeView(p, PosixFileAttributeView.class).setGroup(qemu);
        }
        // the client's daemon stays in the background: its output goes to a file, never to the test's streams
        Process mount = new ProcessBuilder(standin.toString(), EXPORT, mountDir.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("client.log").toFile()).start();
        assertTrue(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0, "the client mounted the export");
        assertTrue(mountedEntry().isPresent());
    }

    private void startDriver(boolean guard) throws Exception {
        quobyte = new QuobyteVolumeDriver(executor, ComponentConfigs.of(QuobyteConfig.class, Map.of(
                "mount_base", base.toString(),
                "systemd_mode", "off",
                "watchdog_enabled", false,
                "directory_group", QEMU_GROUP)));
        if (guard) {
            quobyte.bindGuestUsage(guestUsage);
        }
        drivers.addDriver(quobyte, Map.of("service.id", 1L, "volume.driver.type", "quobyte"));
    }

    private void stopDriver() throws Exception {
        if (quobyte == null) {
            return;
        }
        drivers.removeDriver(quobyte, Map.of("service.id", 1L, "volume.driver.type", "quobyte"));
        Method deactivate = QuobyteVolumeDriver.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(quobyte);
        quobyte = null;
    }

    private static String disk(Path file, String dev) {
        return "    <disk type='file' device='disk'><driver name='qemu' type='raw' cache='none' io='native'/>"
                + "<source file='" + file + "'/><target dev='" + dev + "' bus='virtio'/></disk>\n";
    }

    private Domain startGuest(String prefix, String volume) throws LibvirtException {
        String name = domains.add(TcgDomains.uniqueName(prefix));
        Domain dom = libvirt.connect().domainDefineXML(TcgDomains.named(name).runnable().devices(disk(mountDir.resolve(volume), "vdb")).xml());
        dom.create();
        return dom;
    }

    /** A guest with a given UUID, as Nova gives its instance's UUID to the domain. */
    private Domain start(String name, String uuid, String disks) throws LibvirtException {
        String xml = TcgDomains.named(name).runnable().devices(disks).xml().replace("<name>", "<uuid>" + uuid + "</uuid>\n  <name>");
        Domain dom = libvirt.connect().domainDefineXML(xml);
        dom.create();
        return dom;
    }

    private MountStatus status() {
        return quobyte.mounts().stream().filter(m -> m.mountDirectory().equals(mountDir.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("no mount at " + mountDir + ": " + quobyte.mounts()));
    }

    private static ReconcileRow rowFor(ReconcileReport report, Path source) {
        return report.rows().stream().filter(r -> r.source().equals(source.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + source + ": "
                        + report.rows().stream().map(ReconcileRow::toString).collect(Collectors.joining("\n"))));
    }

    private long runs(String command) {
        var s = executor.statistics().get(command);
        return s == null ? 0 : s.runs();
    }

    private Optional<MountEntry> mountedEntry() throws Exception {
        String point = mountDir.toString();
        return new MountTable.Proc().read().stream()
                .filter(m -> !m.deleted() && m.mountPoint().equals(point) && m.fsType().equals("fuse.quobyte")).findFirst();
    }
}
