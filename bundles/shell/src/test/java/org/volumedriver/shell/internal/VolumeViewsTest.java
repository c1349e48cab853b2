package org.volumedriver.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.shell.support.ViewsTest.HEALTHY;
import static org.volumedriver.shell.support.ViewsTest.STALE;
import static org.volumedriver.shell.support.ViewsTest.capture;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.shell.support.DriverLookupTest;
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDriver;

class VolumeViewsTest {

    @Test
    void mountsWithGuestsAddALastColumnAndWithoutThemAreTheSharedTable() {
        Map<String, List<String>> guests = Map.of("/base/abc", List.of("vm1", "vm2"));
        List<String> lines = capture(out -> VolumeViews.mounts(List.of(STALE, HEALTHY), guests, out, true)).lines().toList();
        assertTrue(lines.get(0).matches("Driver .*\\| Detail\\s+\\| Guests\\s*"), lines.get(0));
        assertTrue(lines.get(2).matches(".*\\| stat failed: ENOTCONN \\| vm1,vm2\\s*"), lines.get(2));
        assertFalse(lines.get(2).contains("hunter2"), lines.get(2));
        List<String> plain = capture(out -> VolumeViews.mounts(List.of(HEALTHY), guests, out, false)).lines().toList();
        assertEquals(List.of("quobyte", "10.0.0.2/other", "/base/def", "HEALTHY", "0", "2026-01-02T03:04:05Z", "", ""),
                List.of(plain.get(0).split("\t", -1)));
        assertEquals(capture(out -> Views.mounts(List.of(STALE), out, true)), capture(out -> VolumeViews.mounts(List.of(STALE), null, out, true)));
    }

    @Test
    void attachmentsAreOneRowEach() {
        String text = capture(out -> VolumeViews.attachments(List.of(STALE, HEALTHY), out, true));
        List<String> lines = text.lines().toList();
        assertEquals(4, lines.size(), text);
        assertTrue(lines.get(2).matches("quobyte \\| vm1\\s+\\| volume-1 \\| /base/abc\\s+\\| STALE\\s*"), lines.get(2));
        assertTrue(lines.get(3).matches("quobyte \\| vm2\\s+\\| volume-2 \\| /base/abc\\s+\\| STALE\\s*"), lines.get(3));
    }

    @Test
    void driversAndCountersAreSorted() throws Exception {
        FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
        quobyte.connect(DriverLookupTest.info("quobyte", "a/v", "volume-1"), new Attachment("volume-1", "vm1"));
        quobyte.connect(DriverLookupTest.info("quobyte", "a/v", "volume-1"), new Attachment("volume-1", "vm2"));
        quobyte.counters.put("mounts", 3L);
        quobyte.counters.put("failures.timeout", 1L);
        Map<String, VolumeDriver> drivers = new LinkedHashMap<>();
        drivers.put("nfs", new FakeVolumeDriver("nfs"));
        drivers.put("quobyte", quobyte);

        List<String> driverLines = capture(out -> VolumeViews.drivers(drivers, out, true)).lines().toList();
        assertEquals(4, driverLines.size());
        assertTrue(driverLines.get(2).matches("nfs\\s+\\|\\s+0 \\|\\s+0"), driverLines.get(2));
        assertTrue(driverLines.get(3).matches("quobyte \\|\\s+1 \\|\\s+2"), driverLines.get(3));

        List<String> counterLines = capture(out -> VolumeViews.counters(drivers, out, true)).lines().toList();
        assertEquals(4, counterLines.size(), counterLines.toString());
        assertTrue(counterLines.get(2).matches("quobyte \\| failures.timeout \\|\\s+1"), counterLines.get(2));
        assertTrue(counterLines.get(3).matches("quobyte \\| mounts\\s+\\|\\s+3"), counterLines.get(3));
    }

    @Test
    void allowlistRedactsArgumentFormsAndShowsProblems() {
        CommandDefinition mount = new CommandDefinition("mount.quobyte", "/usr/bin/mount.quobyte", true,
                List.of(List.of("--disable-xattrs", "[a-z]+", "/base/[0-9a-f]{32}"), List.of("--password=secret1")), true, null);
        CommandDefinition umount = new CommandDefinition("umount", "/bin/umount", true, List.of(List.of()), false,
                "/bin/umount is group-writable");
        CommandDefinition prefix = new CommandDefinition("systemd-run", "/usr/bin/systemd-run", true, List.of(), true, null);
        List<String> lines = capture(out -> VolumeViews.allowlist(List.of(umount, prefix, mount), out, true)).lines().toList();
        assertEquals(5, lines.size(), lines.toString());
        assertTrue(lines.get(3).matches("systemd-run\\s+\\| /usr/bin/systemd-run\\s+\\| yes\\s+\\| yes\\s+\\| \\(none\\)\\s+\\|\\s*"),
                lines.get(3));
        assertTrue(lines.get(2).startsWith("mount.quobyte | /usr/bin/mount.quobyte | yes"), lines.get(2));
        assertTrue(lines.get(2).contains("--disable-xattrs [a-z]+ /base/[0-9a-f]{32} ; --password=***"), lines.get(2));
        assertFalse(lines.get(2).contains("secret1"));
        assertTrue(lines.get(4).matches("umount\\s+\\| /bin/umount\\s+\\| yes\\s+\\| no\\s+\\| \\(no arguments\\)\\s+\\| /bin/umount is group-writable"),
                lines.get(4));
    }

    @Test
    void statisticsShowMeanAndMaxInMilliseconds() {
        Map<String, CommandStatistics> stats = Map.of(
                "umount", new CommandStatistics(0, 0, 0, 2, Duration.ZERO, Duration.ZERO),
                "mount.quobyte", new CommandStatistics(4, 1, 1, 0, Duration.ofMillis(1000), Duration.ofMillis(700)));
        List<String> lines = capture(out -> VolumeViews.statistics(stats, out, true)).lines().toList();
        assertTrue(lines.get(0).matches("Command\\s+\\| Runs \\| Failures \\| Timeouts \\| Rejected \\| Mean ms \\| Max ms"), lines.get(0));
        assertTrue(lines.get(2).matches("mount.quobyte \\|\\s+4 \\|\\s+1 \\|\\s+1 \\|\\s+0 \\|\\s+250 \\|\\s+700"), lines.get(2));
        assertTrue(lines.get(3).matches("umount\\s+\\|\\s+0 \\|\\s+0 \\|\\s+0 \\|\\s+2 \\|\\s+0 \\|\\s+0"), lines.get(3));
    }

    @Test
    void reportsPadKeysAndLeaveOutAbsentValues() {
        DiskSpec disk = DiskSpec.builder().sourceType("file").sourcePath("/base/abc/volume-1").format("raw").cache("none")
                .target("vdb", "virtio").build();
        String text = capture(out -> Views.report(VolumeViews.disk(disk), out));
        assertEquals(List.of(
                "Source type : file",
                "Source      : /base/abc/volume-1",
                "Format      : raw",
                "Cache       : none",
                "Target dev  : vdb",
                "Target bus  : virtio",
                "Read-only   : no"), text.lines().toList());
    }

    @Test
    void attachAndDetachReports() {
        DiskSpec disk = DiskSpec.builder().sourceType("file").sourcePath("/base/abc/volume-1").format("qcow2")
                .target("vdc", "virtio").build();
        Map<String, String> attached = VolumeViews.attached(new AttachResult("vm1", AttachMode.LIVE_AND_CONFIG, disk, "<disk/>"));
        assertEquals("vm1", attached.get("Domain"));
        assertEquals("LIVE_AND_CONFIG", attached.get("Mode"));
        assertEquals("vdc", attached.get("Target dev"));

        Map<String, String> detached = VolumeViews.detached(new DetachResult("vm1", DetachOutcome.DETACHED,
                Optional.of(DisconnectOutcome.UNMOUNTED), Duration.ofMillis(120)));
        assertEquals(Map.of("Domain", "vm1", "Outcome", "DETACHED", "Volume", "UNMOUNTED", "Waited ms", "120"), detached);
        assertEquals("still connected", VolumeViews.detached(new DetachResult("vm1", DetachOutcome.NOT_RELEASED, Optional.empty(),
                Duration.ofSeconds(30))).get("Volume"));
    }
}
