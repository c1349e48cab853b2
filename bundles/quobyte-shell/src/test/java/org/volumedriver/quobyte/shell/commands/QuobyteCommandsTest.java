package org.volumedriver.quobyte.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.quobyte.ConnectionMismatchException;
import org.volumedriver.quobyte.HealReport;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.quobyte.HealStep.Action;
import org.volumedriver.quobyte.HealStep.Outcome;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.QuobyteMount;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.ValidatedVolume;
import org.volumedriver.quobyte.shell.internal.QuobyteValidationView;
import org.volumedriver.shell.testing.ShellHarness;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.testsupport.FakeVolumeDriver;

/** The quobyte commands through Karaf's real command processor, with fakes of the services behind them. */
class QuobyteCommandsTest {

    static final String NAME = "volume-6f2c1f8e-0a41-4e0e-9d0c-9ad7f1f0a111";
    static final String EXPORT = "quobyte://10.0.0.1/vol";
    static final String JSON = "{\"driver_volume_type\":\"quobyte\",\"data\":{\"export\":\"" + EXPORT + "\",\"name\":\"" + NAME
            + "\",\"auth_password\":\"hunter2\"}}";

    final FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
    final FakeAdmin admin = new FakeAdmin(quobyte);
    ShellHarness shell;

    @AfterEach
    void close() {
        if (shell != null) {
            shell.close();
        }
    }

    @Test
    void validateShowsWhereTheVolumeWouldBeForQuobyte() throws Exception {
        shell = QuobyteShell.with(quobyte, new QuobyteValidationView(admin));
        String out = shell.ok("volume:validate '" + JSON + "'").out();
        assertEquals(List.of(
                "Valid: connection info for driver quobyte",
                "Export          : 10.0.0.1/vol",
                "Mount directory : /mnt/q/0123",
                "Volume file     : /mnt/q/0123/" + NAME,
                "Format          : raw"), out.lines().toList());
        assertTrue(quobyte.mounts().isEmpty());

        String spaced = "{\n  \"driver_volume_type\": \"quobyte\",\n  \"data\": {\"export\": \"" + EXPORT + "\", \"name\": \"" + NAME + "\"}\n}";
        assertEquals(out, shell.ok("volume:validate '" + spaced + "'").out());
    }

    @Test
    void withoutTheQuobyteAdminValidateShowsTheGenericFields() throws Exception {
        // the view is registered only while QuobyteAdmin is
        shell = QuobyteShell.with(quobyte);
        assertEquals(List.of("Valid: connection info for driver quobyte", "Export : " + EXPORT, "Volume : " + NAME, "Format : raw"),
                shell.ok("volume:validate '" + JSON + "'").out().lines().toList());
    }

    @Test
    void missingServicesAreNamedWithoutDisablingTheOtherCommands() throws Exception {
        shell = QuobyteShell.with(quobyte);
        assertEquals("Error [SERVICE_UNAVAILABLE]: no Quobyte admin service is registered; is its bundle installed and active?",
                shell.run("quobyte:systemd").errorLine());
        assertEquals("Error [SERVICE_UNAVAILABLE]: no Quobyte admin service is registered; is its bundle installed and active?",
                shell.run("quobyte:config").errorLine());
        assertTrue(shell.ok("quobyte:mounts").out().contains("Mount directory"));
        shell.close();
        shell = QuobyteShell.with();
        assertEquals("Error [UNKNOWN_DRIVER]: no volume driver for type 'quobyte'; available: []",
                shell.run("quobyte:mounts").errorLine());
    }

    @Test
    void withoutTheDriverRegistryTheDriverCommandsSaySo() throws Exception {
        shell = ShellHarness.withoutDriverRegistry(QuobyteShell.WITH_GENERIC, quobyte, admin);
        // every quobyte command goes through QuobyteAdmin, which needs no registry
        assertTrue(shell.ok("quobyte:systemd").out().startsWith("Systemd scope"));
        assertTrue(shell.ok("quobyte:mounts").out().contains("Connection"));
        shell.close();
        shell = ShellHarness.withoutDriverRegistry(QuobyteShell.WITH_GENERIC, quobyte);
        String unavailable = "Error [SERVICE_UNAVAILABLE]: no volume driver registry service is registered; is its bundle installed and active?";
        assertEquals(unavailable, shell.run("quobyte:mounts").errorLine());
        assertEquals(unavailable, shell.run("quobyte:heal " + FakeVolumeDriver.directory(EXPORT)).errorLine());
        assertTrue(quobyte.calls.isEmpty(), quobyte.calls.toString());
    }

    @Test
    void systemdAndConfiguration() throws Exception {
        shell = QuobyteShell.with(quobyte, admin);
        assertEquals(List.of("Systemd scope : not used", "Mode          : auto",
                "Reason        : systemctl is-system-running answered 'offline'"), shell.ok("quobyte:systemd").out().lines().toList());
        String config = shell.ok("quobyte:config --no-format").out();
        assertTrue(config.lines().anyMatch(l -> l.matches("mount\\.base\\s*\t/mnt/q")), config);
        assertFalse(config.contains("s3cr3t"), config);
    }

    @Test
    void healReportsTheNewStateAndRefusesStaleMountsInUseWithoutForce() throws Exception {
        shell = QuobyteShell.with(quobyte, admin);
        shell.ok("volume:connect vm1 '" + JSON + "'");
        quobyte.state(EXPORT, MountState.STALE);
        String dirName = FakeVolumeDriver.directory(EXPORT);
        assertTrue(shell.ok("quobyte:mounts").out().contains("STALE"));
        assertEquals("Error [STALE_MOUNT_IN_USE]: mount " + dirName
                + " is stale and in use by 1 attachment(s); heal it with --force once the guests are safe",
                shell.run("quobyte:heal " + dirName).errorLine());
        String out = shell.ok("quobyte:heal --force " + dirName).out();
        assertTrue(out.startsWith("Mount " + dirName + ": HEALTHY"), out);
        assertEquals("heal " + dirName + " true", quobyte.calls.get(quobyte.calls.size() - 1));
    }

    @Test
    void aForcedHealPrintsWhatItDidStepByStep() throws Exception {
        shell = QuobyteShell.with(quobyte, admin);
        shell.ok("volume:connect vm1 '" + JSON + "'");
        quobyte.state(EXPORT, MountState.STALE);
        String dirName = FakeVolumeDriver.directory(EXPORT);
        admin.steps = List.of(new HealStep(Action.ABORT, Outcome.DONE, "connection 52 aborted, 1 request(s) were unanswered"),
                new HealStep(Action.UNMOUNT, Outcome.FAILED, "still mounted (exit status 32)"),
                new HealStep(Action.LAZY_UNMOUNT, Outcome.DONE, ""),
                new HealStep(Action.END_SCOPE, Outcome.NOT_NEEDED, "volumedriver-quobyte-x.scope is not loaded"),
                new HealStep(Action.REMOUNT, Outcome.DONE, "connection 61"));
        List<String> lines = shell.ok("quobyte:heal --force " + dirName).out().lines().toList();
        assertEquals(List.of("Mount " + dirName + ": HEALTHY",
                "aborted       : done: connection 52 aborted, 1 request(s) were unanswered",
                "unmounted     : failed: still mounted (exit status 32)",
                "lazy          : done",
                "scope stopped : not needed: volumedriver-quobyte-x.scope is not loaded",
                "remounted     : done: connection 61"), lines.subList(0, 6));
        assertTrue(lines.get(6).contains("Mount directory"), lines.toString());
        assertEquals("heal " + dirName + " true", quobyte.calls.get(quobyte.calls.size() - 1));

        admin.failure = new ConnectionMismatchException(dirName, 52, 52);
        assertEquals("Error [CONNECTION_MISMATCH]: mount " + dirName + " was remounted behind this driver's back (FUSE connection 52 "
                + "recorded, its number now serves another mount); nothing was aborted or unmounted: unmount it by hand if it is not needed",
                shell.run("quobyte:heal --force " + dirName).errorLine());
    }

    @Test
    void withoutTheAdminTheHealGoesThroughTheDriverAndShowsTheState() throws Exception {
        shell = QuobyteShell.with(quobyte);
        shell.ok("volume:connect vm1 '" + JSON + "'");
        String dirName = FakeVolumeDriver.directory(EXPORT);
        List<String> lines = shell.ok("quobyte:heal " + dirName).out().lines().toList();
        assertEquals("Mount " + dirName + ": HEALTHY", lines.get(0));
        assertTrue(lines.get(1).contains("Mount directory"), lines.toString());
    }

    @Test
    void mountsShowTheConnectionAndItsUnansweredRequests() throws Exception {
        shell = QuobyteShell.with(quobyte, admin);
        shell.ok("volume:connect vm1 '" + JSON + "'");
        String table = shell.ok("quobyte:mounts").out();
        assertTrue(table.lines().findFirst().orElseThrow().matches(".*Attachments \\| Connection \\| Waiting \\| Since.*"), table);
        List<String> rows = shell.ok("quobyte:mounts --no-format").out().lines().toList();
        assertEquals(1, rows.size(), rows.toString());
        String[] cells = rows.get(0).split("\t", -1);
        assertEquals("quobyte", cells[0]);
        assertEquals(FakeVolumeDriver.directory(EXPORT), cells[2]);
        assertEquals(List.of("1", "52", "3"), List.of(cells[4], cells[5], cells[6]));
        admin.unknownWaiting = true;
        assertEquals("-", shell.ok("quobyte:mounts --no-format").out().split("\t", -1)[6].strip());
        assertEquals(List.of(), shell.ok("quobyte:mounts --no-format -e other/export").out().lines().toList());
    }

    static final class FakeAdmin implements QuobyteAdmin {
        final FakeVolumeDriver driver;
        volatile List<HealStep> steps = List.of();
        volatile VolumeDriverException failure;
        volatile boolean unknownWaiting;

        FakeAdmin(FakeVolumeDriver driver) {
            this.driver = driver;
        }

        @Override
        public List<QuobyteMount> mounts() {
            return driver.mounts().stream()
                    .map(m -> new QuobyteMount(m, OptionalLong.of(52), unknownWaiting ? OptionalLong.empty() : OptionalLong.of(3))).toList();
        }

        @Override
        public HealReport heal(String mountDirectory, boolean force) throws VolumeDriverException {
            if (failure != null) {
                throw failure;
            }
            return new HealReport(driver.heal(mountDirectory, force), steps);
        }

        @Override
        public SystemdDecision systemdDecision() {
            return new SystemdDecision(false, "auto", "systemctl is-system-running answered 'offline'");
        }

        @Override
        public ValidatedVolume validate(ConnectionInfo info) throws VolumeDriverException {
            String export = info.requireExport().substring("quobyte://".length());
            return new ValidatedVolume(export, "/mnt/q/0123", "/mnt/q/0123/" + info.requireName(), info.format());
        }

        @Override
        public Map<String, String> configuration() {
            return Map.of("mount.base", "/mnt/q", "client.password", "s3cr3t");
        }
    }
}
