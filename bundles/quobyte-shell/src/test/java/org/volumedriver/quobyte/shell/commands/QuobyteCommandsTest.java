package org.volumedriver.quobyte.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.quobyte.QuobyteAdmin;
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
    final FakeAdmin admin = new FakeAdmin();
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
        String unavailable = "Error [SERVICE_UNAVAILABLE]: no volume driver registry service is registered; is its bundle installed and active?";
        assertEquals(unavailable, shell.run("quobyte:mounts").errorLine());
        assertEquals(unavailable, shell.run("quobyte:heal " + FakeVolumeDriver.directory(EXPORT)).errorLine());
        assertTrue(quobyte.calls.isEmpty(), quobyte.calls.toString());
        // the commands that need only QuobyteAdmin still work
        assertTrue(shell.ok("quobyte:systemd").out().startsWith("Systemd scope"));
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

    static final class FakeAdmin implements QuobyteAdmin {
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
