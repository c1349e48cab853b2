package org.volumedriver.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.libvirt.VolumeReconciler;
import org.volumedriver.shell.testing.ShellHarness;
import org.volumedriver.spi.GuestRef;
import org.volumedriver.spi.GuestUsage;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.testsupport.FakeVolumeDriver;

/**
 * {@code volume:reconcile} and the guests column of {@code volume:mounts} through Karaf's command
 * processor, with scripted services: the layout, the dry-run flag reaching the service, the error
 * line when libvirt is unreachable, and hostile names that cannot forge output.
 */
class ReconcileCommandTest {

    static final String UUID = "0b7c5a64-31d2-4c0e-9f57-2d4b3f1b9e10";

    /** Answers a scripted report and remembers each call's dry-run flag. */
    static final class ScriptedReconciler implements VolumeReconciler {
        final List<Boolean> calls = new ArrayList<>();
        ReconcileReport report;

        @Override
        public ReconcileReport reconcile(boolean dryRun) {
            calls.add(dryRun);
            return new ReconcileReport(dryRun, report.releaseOrphans(), report.libvirtReachable(), report.error(), report.domains(),
                    report.rows(), report.started(), report.took());
        }
    }

    final ScriptedReconciler reconciler = new ScriptedReconciler();
    ShellHarness shell;

    @AfterEach
    void close() {
        if (shell != null) {
            shell.close();
        }
    }

    static ReconcileReport report(List<ReconcileRow> rows) {
        return new ReconcileReport(false, false, true, "", 3, rows, Instant.EPOCH, Duration.ofMillis(12));
    }

    static final ReconcileRow ADOPTED = new ReconcileRow(ReconcileAction.ADOPTED, UUID, "vm1", UUID, "/base/m1/volume-1", "fake",
            "/base/m1", "volume-1", "in the guest, not recorded: adopted");
    static final ReconcileRow DRIFT = new ReconcileRow(ReconcileAction.DRIFT_KEPT, "", "", "gone-vm", "/base/m2/volume-2", "fake",
            "/base/m2", "volume-2", "in no guest; report only (reconcile.release.orphans=false)");
    static final ReconcileRow HOSTILE = new ReconcileRow(ReconcileAction.REJECTED, UUID, "evil\nADOPTED | x", "", "/base/m1/../x\r",
            "", "", "", "a '..' component in the source");

    @Test
    void printsASummaryAndOneRowPerDecision() {
        reconciler.report = report(List.of(ADOPTED, DRIFT, HOSTILE));
        shell = VolumeShell.with(reconciler);
        List<String> lines = shell.ok("volume:reconcile").out().lines().toList();
        assertEquals("Reconciled: 3 domains; 1 adopted, 1 drift kept, 0 drift released, 0 untouched, 1 rejected, 0 failed; "
                + "drift is reported only (12 ms)", lines.get(0));
        assertTrue(lines.get(1).matches("Action\\s+\\| Domain\\s+\\| UUID\\s+\\| Instance\\s+\\| Driver \\| Mount directory \\| Volume\\s+\\| "
                + "Source\\s+\\| Reason\\s*"), lines.get(1));
        assertEquals(6, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(3).startsWith("ADOPTED    | vm1"), lines.get(3));
        assertTrue(lines.get(4).startsWith("DRIFT_KEPT |  "), lines.get(4));
        // a name with a newline stays on its row
        assertTrue(lines.get(5).startsWith("REJECTED   | evil?ADOPTED | x"), lines.get(5));
        assertEquals(List.of(false), reconciler.calls);
    }

    @Test
    void theDryRunReachesTheServiceAndSaysSo() {
        reconciler.report = report(List.of(ADOPTED));
        shell = VolumeShell.with(reconciler);
        String out = shell.ok("volume:reconcile --dry-run").out();
        assertTrue(out.startsWith("Dry run, nothing changed: 3 domains; 1 adopted"), out);
        List<String> plain = shell.ok("volume:reconcile --dry-run --no-format").out().lines().toList();
        assertEquals(List.of(String.join("\t", "ADOPTED", "vm1", UUID, UUID, "fake", "/base/m1", "volume-1", "/base/m1/volume-1",
                "in the guest, not recorded: adopted")), plain);
        assertEquals(List.of(true, true), reconciler.calls);
    }

    @Test
    void anUnreachableLibvirtIsOneErrorLine() {
        reconciler.report = new ReconcileReport(false, false, false, "connect to qemu:///system failed (libvirt error 38): no socket", 0,
                List.of(), Instant.EPOCH, Duration.ZERO);
        shell = VolumeShell.with(reconciler);
        assertEquals("Error [HYPERVISOR_ERROR]: libvirt unreachable, nothing changed: connect to qemu:///system failed (libvirt error 38): "
                + "no socket", shell.run("volume:reconcile").errorLine());
        shell.close();
        shell = VolumeShell.with();
        assertEquals("Error [SERVICE_UNAVAILABLE]: no libvirt volume reconciler service is registered; is its bundle installed and active?",
                shell.run("volume:reconcile").errorLine());
    }

    /** Guests by directory, or libvirt unreachable. */
    static final class ScriptedGuests implements GuestUsage {
        final Map<Path, List<GuestRef>> answers = new LinkedHashMap<>();
        boolean unreachable;

        @Override
        public List<GuestRef> guestsUsing(Path mountDirectory) throws HypervisorException {
            return guestsUsing(List.of(mountDirectory)).get(mountDirectory);
        }

        @Override
        public Map<Path, List<GuestRef>> guestsUsing(Collection<Path> mountDirectories) throws HypervisorException {
            if (unreachable) {
                throw new HypervisorException("connect to qemu:///system", 38, "no socket", null);
            }
            Map<Path, List<GuestRef>> out = new LinkedHashMap<>();
            mountDirectories.forEach(d -> out.put(d, answers.getOrDefault(d, List.of())));
            return out;
        }
    }

    @Test
    void mountsShowTheGuestsWhenLibvirtCanBeAsked() throws Exception {
        FakeVolumeDriver fake = new FakeVolumeDriver("fake");
        fake.connect(org.volumedriver.spi.ConnectionInfo.fromMap(Map.of("driver_volume_type", "fake", "data",
                Map.of("export", "h/v", "name", "volume-1"))), org.volumedriver.spi.Attachment.of("volume-1", "vm1"));
        ScriptedGuests guests = new ScriptedGuests();
        guests.answers.put(Path.of(FakeVolumeDriver.directory("h/v")), List.of(new GuestRef(UUID, "vm1"),
                new GuestRef("1b7c5a64-31d2-4c0e-9f57-2d4b3f1b9e10", "vm2")));
        shell = VolumeShell.with(fake, guests);
        List<String> lines = shell.ok("volume:mounts").out().lines().toList();
        assertTrue(lines.get(0).matches(".*\\| Detail\\s*\\| Guests\\s*"), lines.get(0));
        assertTrue(lines.get(2).matches(".*\\| vm1,vm2\\s*"), lines.get(2));
        guests.unreachable = true;
        String without = shell.ok("volume:mounts").out();
        assertFalse(without.contains("Guests"), without);
        assertTrue(without.lines().skip(2).findFirst().orElseThrow().contains("HEALTHY"), without);
    }
}
