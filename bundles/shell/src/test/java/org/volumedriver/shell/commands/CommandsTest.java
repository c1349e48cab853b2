package org.volumedriver.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.DiskXmlService;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.libvirt.VolumeAttacher;
import org.volumedriver.shell.support.ValidationView;
import org.volumedriver.shell.testing.ShellHarness;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.CommandRejectedException;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.testsupport.FakeVolumeDriver;

/** The commands through Karaf's real command processor, with fakes of the services behind them. */
class CommandsTest {

    static final String NAME = "volume-6f2c1f8e-0a41-4e0e-9d0c-9ad7f1f0a111";
    static final String EXPORT = "quobyte://10.0.0.1/vol";

    static String json(String type, String name, String format) {
        return "{\"driver_volume_type\":\"" + type + "\",\"data\":{\"export\":\"" + EXPORT + "\",\"name\":\"" + name + "\""
                + (format == null ? "" : ",\"format\":\"" + format + "\"") + ",\"auth_password\":\"hunter2\"}}";
    }

    static final String JSON = json("quobyte", NAME, null);

    @TempDir
    Path dir;

    final FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
    ShellHarness shell;

    @AfterEach
    void close() {
        if (shell != null) {
            shell.close();
        }
    }

    @Test
    void driversListsTheRegisteredDrivers() throws Exception {
        shell = VolumeShell.with(quobyte, new FakeVolumeDriver("nfs"));
        List<String> lines = shell.ok("volume:drivers").out().lines().toList();
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("Type"), lines.get(0));
        assertTrue(lines.get(2).startsWith("nfs"), lines.get(2));
        assertTrue(lines.get(3).startsWith("quobyte"), lines.get(3));
    }

    @Test
    void connectAndDisconnectWithJsonArgumentAndFile() throws Exception {
        shell = VolumeShell.with(quobyte);
        String out = shell.ok("volume:connect vm1 '" + JSON + "'").out();
        assertTrue(out.startsWith("Connected " + NAME + "@vm1 (driver quobyte)"), out);
        assertTrue(out.contains("Source      : " + FakeVolumeDriver.directory(EXPORT) + "/" + NAME), out);
        assertFalse(out.contains("hunter2"), out);
        assertEquals(List.of("connect " + NAME + "@vm1"), quobyte.calls.stream().filter(c -> c.startsWith("connect")).toList());

        Path file = Files.writeString(dir.resolve("ci.json"), JSON);
        shell.ok("volume:connect --file " + file + " vm2");
        assertEquals(2, quobyte.mounts().get(0).attachments().size());

        String mounts = shell.ok("volume:mounts").out();
        assertTrue(mounts.contains(FakeVolumeDriver.directory(EXPORT)) && mounts.contains("HEALTHY"), mounts);
        String attachments = shell.ok("volume:attachments --instance vm2 --no-format").out();
        assertEquals(1, attachments.lines().count(), attachments);
        assertTrue(attachments.contains("vm2") && attachments.contains(NAME), attachments);

        assertTrue(shell.ok("volume:disconnect vm1 '" + JSON + "'").out().contains(": STILL_IN_USE"));
        assertTrue(shell.ok("volume:disconnect -f " + file + " vm2").out()
                .startsWith("Disconnected " + NAME + "@vm2 (driver quobyte): UNMOUNTED"));
        assertTrue(shell.ok("volume:disconnect vm2 '" + JSON + "'").out().contains(": NOT_ATTACHED"));
        assertEquals(List.of("(none)"), shell.ok("volume:mounts").out().lines().skip(2).toList());
    }

    @Test
    void badInputIsOneErrorLineAndNothingIsDone() throws Exception {
        shell = VolumeShell.with(quobyte);
        assertEquals("Error [UNKNOWN_DRIVER]: no volume driver for type 'nfs'; available: [quobyte]",
                shell.run("volume:connect vm1 '" + json("nfs", NAME, null) + "'").errorLine());
        assertEquals("Error [UNSUPPORTED_FORMAT]: invalid connection info: data.format 'vmdk' is not an allowed format; allowed: [raw, qcow2]",
                shell.run("volume:connect vm1 '" + json("quobyte", NAME, "vmdk") + "'").errorLine());
        String traversal = shell.run("volume:connect vm1 '" + json("quobyte", "../../etc/shadow", null) + "'").errorLine();
        assertTrue(traversal.startsWith("Error [INVALID_CONNECTION_INFO]: invalid connection info: data.name "), traversal);
        String badInstance = shell.run("volume:connect ../vm1 '" + JSON + "'").errorLine();
        assertTrue(badInstance.startsWith("Error [INVALID_CONNECTION_INFO]: invalid connection info: instance "), badInstance);

        String duplicate = shell.run("volume:validate '{\"driver_volume_type\":\"quobyte\",\"driver_volume_type\":\"x\",\"data\":{}}'")
                .errorLine();
        assertTrue(duplicate.startsWith("Error [INVALID_CONNECTION_INFO]: invalid connection info: connection_info is not valid JSON"),
                duplicate);
        String broken = shell.run("volume:validate '{\"data\":{\"password\":\"hunter2\"'").errorLine();
        assertFalse(broken.contains("hunter2"), broken);

        assertEquals("Error [INVALID_ARGUMENT]: connection info is missing: give it as a JSON argument in single quotes or with --file <path>",
                shell.run("volume:connect vm1").errorLine());
        assertEquals("Error [INVALID_ARGUMENT]: the instance is missing before the connection info; usage: "
                + "volume:connect [-f <path>] <instance> [<connection-info>]", shell.run("volume:connect '" + JSON + "'").errorLine());
        assertTrue(shell.run("volume:attach '" + JSON + "'").errorLine()
                .startsWith("Error [INVALID_ARGUMENT]: the domain is missing before the connection info; usage: volume:attach"));
        String missingFile = shell.run("volume:validate --file " + dir.resolve("none.json")).errorLine();
        assertTrue(missingFile.startsWith("Error [INVALID_ARGUMENT]: --file '") && missingFile.endsWith("cannot be read: it does not exist or is not accessible"),
                missingFile);
        // only the fake's validations ran: nothing was connected
        assertTrue(quobyte.calls.stream().noneMatch(c -> c.startsWith("connect")), quobyte.calls.toString());
        assertTrue(quobyte.mounts().isEmpty());
    }

    @Test
    void validateShowsTheGenericFieldsForADriverWithoutItsOwnView() throws Exception {
        shell = VolumeShell.with(new FakeVolumeDriver("nfs"));
        String generic = shell.ok("volume:validate '" + json("nfs", NAME, "qcow2") + "'").out();
        assertEquals(List.of("Valid: connection info for driver nfs", "Export : " + EXPORT, "Volume : " + NAME, "Format : qcow2"),
                generic.lines().toList());
    }

    @Test
    void validateShowsTheFieldsOfTheDriversOwnView() throws Exception {
        ValidationView nfsView = new ValidationView() {
            @Override
            public String driverType() {
                return "nfs";
            }

            @Override
            public Map<String, String> fields(ConnectionInfo info) throws VolumeDriverException {
                return Map.of("Share", info.requireExport());
            }
        };
        shell = VolumeShell.with(quobyte, new FakeVolumeDriver("nfs"), nfsView);
        assertEquals(List.of("Valid: connection info for driver nfs", "Share : " + EXPORT),
                shell.ok("volume:validate '" + json("nfs", NAME, null) + "'").out().lines().toList());
        // a view of another type does not apply: the generic fields
        assertEquals(List.of("Valid: connection info for driver quobyte", "Export : " + EXPORT, "Volume : " + NAME, "Format : raw"),
                shell.ok("volume:validate '" + JSON + "'").out().lines().toList());
        assertTrue(quobyte.mounts().isEmpty());
    }

    @Test
    void diskXmlUsesTheDriverAndTheXmlServiceWithTarget() throws Exception {
        FakeXml xml = new FakeXml();
        shell = VolumeShell.with(quobyte, xml);
        assertEquals("<disk dev='vdb' bus='virtio' format='raw'/>", shell.ok("volume:disk-xml '" + JSON + "'").out().strip());
        assertEquals("<disk dev='sdc' bus='scsi' format='raw'/>",
                shell.ok("volume:disk-xml --dev sdc --bus scsi '" + JSON + "'").out().strip());
        assertEquals("Error [INVALID_DISK_SPEC]: invalid connection info: disk.target.bus 'floppy' is not allowed; allowed: [virtio, scsi]",
                shell.run("volume:disk-xml --bus floppy '" + JSON + "'").errorLine());
        assertTrue(quobyte.mounts().isEmpty(), "disk-xml never connects");
    }

    @Test
    void attachAndDetachChooseTheModeLikeVirsh() throws Exception {
        FakeAttacher attacher = new FakeAttacher();
        shell = VolumeShell.with(quobyte, attacher);
        String out = shell.ok("volume:attach vm1 '" + JSON + "'").out();
        assertTrue(out.startsWith("Attached " + NAME + "@vm1 to domain vm1"), out);
        assertTrue(out.contains("Mode        : LIVE"), out);
        shell.ok("volume:attach --config --instance i-9 --dev vdc vm1 '" + JSON + "'");
        shell.ok("volume:attach --live --config vm1 '" + JSON + "'");
        assertEquals(List.of("attach vm1 " + NAME + "@vm1 vdb virtio LIVE", "attach vm1 " + NAME + "@i-9 vdc virtio CONFIG",
                "attach vm1 " + NAME + "@vm1 vdb virtio LIVE_AND_CONFIG"), attacher.calls);

        String detached = shell.ok("volume:detach --config vm1 '" + JSON + "'").out();
        assertTrue(detached.startsWith("Detach " + NAME + "@vm1 from domain vm1: DETACHED"), detached);
        assertTrue(detached.contains("Volume    : UNMOUNTED"), detached);
        assertEquals("detach vm1 " + NAME + "@vm1 CONFIG", attacher.calls.get(3));
    }

    @Test
    void missingServicesAreNamedWithoutDisablingTheOtherCommands() throws Exception {
        shell = VolumeShell.with(quobyte);
        assertEquals("Error [SERVICE_UNAVAILABLE]: no command executor service is registered; is its bundle installed and active?",
                shell.run("volume:executor").errorLine());
        assertTrue(shell.run("volume:attach vm1 '" + JSON + "'").errorLine().startsWith("Error [SERVICE_UNAVAILABLE]: no libvirt volume attacher"));
        assertTrue(shell.run("volume:disk-xml '" + JSON + "'").errorLine().startsWith("Error [SERVICE_UNAVAILABLE]: no libvirt disk XML"));
        assertNull(shell.run("volume:drivers").failure());
    }

    @Test
    void withoutTheDriverRegistryTheDriverCommandsSaySo() throws Exception {
        // the registry is the one way to a driver: driver services alone are not used
        shell = ShellHarness.withoutDriverRegistry(VolumeShell.CLASSES, quobyte, new FakeXml());
        String unavailable = "Error [SERVICE_UNAVAILABLE]: no volume driver registry service is registered; is its bundle installed and active?";
        for (String command : List.of("volume:drivers", "volume:mounts", "volume:attachments", "volume:counters",
                "volume:connect vm1 '" + JSON + "'", "volume:disconnect vm1 '" + JSON + "'", "volume:validate '" + JSON + "'",
                "volume:disk-xml '" + JSON + "'")) {
            assertEquals(unavailable, shell.run(command).errorLine(), command);
        }
        assertTrue(quobyte.calls.isEmpty(), quobyte.calls.toString());
        // input errors come first, as before
        assertTrue(shell.run("volume:connect vm1").errorLine().startsWith("Error [INVALID_ARGUMENT]: connection info is missing"));
    }

    @Test
    void executorShowsAllowlistAndCounters() throws Exception {
        shell = VolumeShell.with(new FakeExecutor());
        List<String> lines = shell.ok("volume:executor").out().lines().toList();
        assertEquals("Allowlist", lines.get(0));
        assertTrue(lines.get(1).startsWith("Command"), lines.get(1));
        assertTrue(lines.get(3).startsWith("mount.quobyte | /usr/bin/mount.quobyte | yes        | yes"), lines.get(3));
        assertEquals("", lines.get(4));
        assertEquals("Counters", lines.get(5));
        assertTrue(lines.get(8).matches("mount.quobyte \\|\\s+2 \\|\\s+1 \\|\\s+0 \\|\\s+0 \\|\\s+50 \\|\\s+80"), lines.get(8));
    }

    @Test
    void countersPerDriver() throws Exception {
        quobyte.counters.put("mounts", 2L);
        shell = VolumeShell.with(quobyte, new FakeVolumeDriver("nfs"));
        assertEquals(List.of("quobyte\tmounts\t2"),
                shell.ok("volume:counters --driver quobyte --no-format").out().lines().map(l -> l.replaceAll(" +", "")).toList());
        assertEquals("Error [UNKNOWN_DRIVER]: no volume driver for type 'iscsi'; available: [nfs, quobyte]",
                shell.run("volume:counters -d iscsi").errorLine());
    }

    static final class FakeXml implements DiskXmlService {
        @Override
        public DiskSpec check(String driverType, DiskSpec spec) throws VolumeDriverException {
            String bus = spec.targetBus().orElseThrow();
            if (!List.of("virtio", "scsi").contains(bus)) {
                throw new InvalidDiskSpecException("disk.target.bus", bus, List.of("virtio", "scsi"));
            }
            return spec;
        }

        @Override
        public String diskXml(String driverType, DiskSpec spec) throws VolumeDriverException {
            DiskSpec checked = check(driverType, spec);
            return "<disk dev='" + checked.targetDev().orElseThrow() + "' bus='" + checked.targetBus().orElseThrow()
                    + "' format='" + checked.format() + "'/>";
        }
    }

    static final class FakeAttacher implements VolumeAttacher {
        final List<String> calls = new ArrayList<>();

        @Override
        public AttachResult attach(String domain, ConnectionInfo info, Attachment attachment, String targetDev, String targetBus,
                AttachMode mode) {
            calls.add("attach " + domain + " " + attachment + " " + targetDev + " " + targetBus + " " + mode);
            DiskSpec disk = DiskSpec.builder().sourceType("file").sourcePath("/mnt/q/0123/" + attachment.volume()).format("raw")
                    .target(targetDev, targetBus).build();
            return new AttachResult(domain, mode, disk, "<disk/>");
        }

        @Override
        public DetachResult detach(String domain, ConnectionInfo info, Attachment attachment, AttachMode mode) {
            calls.add("detach " + domain + " " + attachment + " " + mode);
            return new DetachResult(domain, DetachOutcome.DETACHED, Optional.of(DisconnectOutcome.UNMOUNTED), Duration.ofMillis(5));
        }
    }

    static final class FakeExecutor implements CommandExecutor {
        @Override
        public CommandResult run(CommandRequest request) throws CommandRejectedException {
            throw new CommandRejectedException(request.command(), "not in this fake");
        }

        @Override
        public List<CommandDefinition> allowlist() {
            return List.of(new CommandDefinition("mount.quobyte", "/usr/bin/mount.quobyte", true,
                    List.of(List.of("--disable-xattrs", "\\S+", "/mnt/q/[0-9a-f]{32}")), true, null));
        }

        @Override
        public Map<String, CommandStatistics> statistics() {
            return Map.of("mount.quobyte", new CommandStatistics(2, 1, 0, 0, Duration.ofMillis(100), Duration.ofMillis(80)));
        }
    }
}
