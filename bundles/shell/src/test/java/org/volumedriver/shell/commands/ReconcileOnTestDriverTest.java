package org.volumedriver.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.volumedriver.libvirt.internal.GuestUsageImpl;
import org.volumedriver.libvirt.internal.Libvirt;
import org.volumedriver.libvirt.internal.LibvirtConfig;
import org.volumedriver.libvirt.internal.LibvirtSessions;
import org.volumedriver.libvirt.internal.LibvirtSettings;
import org.volumedriver.libvirt.internal.VolumeReconcilerImpl;
import org.volumedriver.shell.testing.ShellHarness;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.testsupport.ComponentConfigs;
import org.volumedriver.testsupport.FakeVolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDrivers;
import org.volumedriver.testsupport.RealTests;
import org.volumedriver.testsupport.TcgDomains;

/**
 * The shell over the libvirt bundle's real reconciler and guest-usage check on libvirt's
 * in-process test driver, with the fake driver on a real directory: a dry run prints the decisions
 * and changes nothing, the real run adopts, and {@code volume:mounts} then names the guest.
 */
class ReconcileOnTestDriverTest {

    static final String VOLUME = "volume-6f2c1b7e-1d8a-4a7e-9c2f-0b3c8e1d5a11";

    @TempDir
    Path tmp;

    Connect keep;
    String domain;
    LibvirtSessions sessions;
    VolumeReconcilerImpl reconciler;
    ShellHarness shell;

    @BeforeEach
    void libvirt() throws Exception {
        RealTests.require(libvirtLoads(), "libvirt.so.0 is not installed (Debian package libvirt0)");
        // the test driver's domains live while a connection to it is open
        keep = new Connect("test:///default");
    }

    private static boolean libvirtLoads() {
        try {
            Libvirt.installErrorCallback();
            return true;
        } catch (HypervisorException | LinkageError e) {
            return false;
        }
    }

    @AfterEach
    void close() throws Exception {
        if (shell != null) {
            shell.close();
        }
        if (reconciler != null) {
            reconciler.deactivate();
        }
        if (sessions != null) {
            sessions.close();
        }
        if (domain != null) {
            Domain d = keep.domainLookupByName(domain);
            d.undefine();
            d.free();
        }
        if (keep != null) {
            keep.close();
        }
    }

    @Test
    void aDryRunChangesNothingAndTheRunAdoptsWhatTheGuestUses() throws Exception {
        Path base = Files.createDirectory(tmp.resolve("base"));
        Path dir = Files.createDirectory(base.resolve("m1"));
        FakeVolumeDriver fake = FakeVolumeDriver.onBase("fake", base);
        fake.mounted(dir, FakeVolumeDriver.FSTYPE);
        domain = TcgDomains.uniqueName("shell");
        keep.domainDefineXML(TcgDomains.named(domain).devices("<disk type='file' device='disk'><source file='" + dir.resolve(VOLUME)
                + "'/><target dev='vdb' bus='virtio'/></disk>").xml()).free();

        LibvirtSettings settings = LibvirtSettings.from(ComponentConfigs.of(LibvirtConfig.class,
                Map.of("uri", "test:///default", "reconcile_at_start", false)));
        sessions = LibvirtSessions.withSettings(settings);
        FakeVolumeDrivers registry = FakeVolumeDrivers.of(fake);
        reconciler = new VolumeReconcilerImpl(registry, sessions);
        shell = VolumeShell.with(registry, reconciler, new GuestUsageImpl(sessions));

        List<MountStatus> before = fake.mounts();
        String dry = shell.ok("volume:reconcile --dry-run --no-format").out();
        List<String> adopted = dry.lines().filter(l -> l.startsWith("ADOPTED\t")).toList();
        assertEquals(1, adopted.size(), dry);
        assertTrue(adopted.get(0).contains("\t" + domain + "\t") && adopted.get(0).endsWith("\tdry run: would adopt"), adopted.get(0));
        assertEquals(before, fake.mounts());
        assertEquals(List.of(), fake.adoptsAndReleases());

        String run = shell.ok("volume:reconcile").out();
        assertTrue(run.startsWith("Reconciled: "), run);
        assertEquals(1, fake.adoptsAndReleases().size(), fake.calls.toString());
        String mounts = shell.ok("volume:mounts --no-format").out();
        assertTrue(mounts.lines().anyMatch(l -> l.startsWith("fake\t") && l.endsWith("\t" + domain)), mounts);
    }
}
