package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.libvirt.AttachedVolumes;

/**
 * The snapshot, merge, extend and chain commands in the distribution as built, booted with its
 * SANDBOX profile (libvirt's in-process {@code test:///default} driver, whose one running domain
 * {@code test} has no volume and supports neither device changes nor block jobs): every refusal is
 * one typed line, bad input is refused before anything is mounted or asked of libvirt, and the
 * service behind the commands is the libvirt bundle's. The same calls on a real hypervisor are
 * proved in {@code itests/hypervisor}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class SnapshotShellIT extends VolumedriverTestSupport {

    static final String EXPORT = "registry-s.example.org:7861/volume-s";
    static final String VOLUME = "volume-2f3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";
    static final String SNAPSHOT = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
    static final String NEW_FILE = VOLUME + "." + SNAPSHOT;

    @Override
    public MavenArtifactUrlReference getKarafDistribution() {
        return distribution();
    }

    @Configuration
    @Override
    public Option[] config() {
        return combine(super.config(), sandboxProfile());
    }

    @Test
    public void t01_theCommandsAreServedByTheLibvirtBundle() {
        assertNotNull("the attached-volumes service is registered", getOsgiService(AttachedVolumes.class));
        for (String command : List.of("volume:snapshot-create --snapshot-id " + SNAPSHOT + " --new-file " + NEW_FILE + " test",
                "volume:snapshot-delete --file-to-merge " + VOLUME + " test", "volume:extend test 1G", "volume:chain test")) {
            String line = commandError(command);
            assertTrue(line, line.startsWith("Error [INVALID_ARGUMENT]: connection info is missing") || line.contains("the new size"));
        }
    }

    @Test
    public void t02_badInputIsOneTypedLineBeforeAnythingIsMountedOrAsked() throws Exception {
        long runs = mountRuns();
        List<String> mounts = sandboxMounts();
        String ci = connectionInfo(EXPORT, VOLUME);

        for (String size : List.of("10g", "1.5G", "0", "-1", "2GiB", "8388608T")) {
            String line = commandError("volume:extend test '" + ci + "' " + size);
            assertErrorCode("INVALID_ARGUMENT", line);
            assertTrue(line, line.contains("size '" + size + "'"));
        }
        assertErrorCode("INVALID_ARGUMENT", commandError("volume:extend test '" + ci + "'"));
        assertErrorCode("INVALID_ARGUMENT", commandError("volume:chain test"));
        assertErrorCode("INVALID_ARGUMENT", commandError("volume:chain '" + ci + "'"));

        String badId = commandError("volume:snapshot-create --snapshot-id not-a-uuid --new-file " + NEW_FILE + " test '" + ci + "'");
        assertErrorCode("INVALID_CONNECTION_INFO", badId);
        assertTrue(badId, badId.contains("snapshot_id"));
        for (String hostile : List.of("../" + NEW_FILE, "..", "/etc/shadow", "sub/" + NEW_FILE, "volume-x;reboot")) {
            String line = commandError("volume:snapshot-create --snapshot-id " + SNAPSHOT + " --new-file '" + hostile + "' test '" + ci + "'");
            assertErrorCode("INVALID_CONNECTION_INFO", line);
            assertTrue(line, line.contains("new_file"));
            assertFalse("the bad value is not echoed: " + line, line.contains("shadow") || line.contains("reboot"));
        }
        for (String hostile : List.of("../../etc/shadow", "/etc/passwd")) {
            assertErrorCode("INVALID_CONNECTION_INFO", commandError("volume:snapshot-delete --file-to-merge '" + hostile + "' test '" + ci + "'"));
            assertErrorCode("INVALID_CONNECTION_INFO", commandError("volume:snapshot-delete --file-to-merge " + VOLUME + " --merge-target '"
                    + hostile + "' test '" + ci + "'"));
        }
        assertErrorCode("INVALID_DISK_SPEC", commandError("volume:chain '../test' '" + ci + "'"));
        assertErrorCode("UNSUPPORTED_FORMAT", commandError("volume:chain test '"
                + ci.replace("\"name\"", "\"format\":\"vmdk\",\"name\"") + "'"));
        assertErrorCode("UNKNOWN_DRIVER", commandError("volume:extend test '" + ci.replace("\"quobyte\",\"data\"", "\"nfs\",\"data\"") + "' 1G"));

        assertEquals("nothing mounted", mounts, sandboxMounts());
        assertEquals("mount.quobyte never ran", runs, mountRuns());
    }

    @Test
    public void t03_theTestDomainHasNoDiskOfTheVolume() throws Exception {
        String ci = connectionInfo(EXPORT, VOLUME);
        Path file = sandboxHome().resolve("snapshot-ci.json");
        Files.writeString(file, ci, StandardCharsets.UTF_8);
        assertErrorCode("DISK_NOT_FOUND", commandError("volume:chain test '" + ci + "'"));
        assertErrorCode("DISK_NOT_FOUND", commandError("volume:chain -f " + file + " test"));
        assertErrorCode("DISK_NOT_FOUND", commandError("volume:extend -f " + file + " test 1G"));
        assertErrorCode("HYPERVISOR_ERROR", commandError("volume:chain no-such-domain '" + ci + "'"));
        // the files are the driver's to inspect first, on a mounted export only; nothing is mounted for that
        assertErrorCode("MOUNT_UNHEALTHY", commandError("volume:snapshot-delete --file-to-merge " + VOLUME + " test '" + ci + "'"));
        assertErrorCode("MOUNT_UNHEALTHY", commandError("volume:snapshot-create --snapshot-id " + SNAPSHOT + " --new-file " + NEW_FILE
                + " test '" + ci + "'"));
        assertEquals(List.of(), sandboxMounts());
    }

    /**
     * With the export mounted (the volume connected through the FUSE stand-in) and a new file the
     * storage side made, the driver's inspection passes and libvirt is asked: its test domain has
     * no disk with the volume's serial. The volume is disconnected again and nothing is left.
     */
    @Test
    public void t04_realMountTheInspectionPassesAndLibvirtHasNoSuchDisk() throws Exception {
        requireRealMounts();
        String ci = connectionInfo(EXPORT, VOLUME);
        Path store = sandboxHome().resolve("standin/store").resolve(EXPORT.replaceAll("[/:,\\[\\]|]", "_"));
        Process qemuImg = new ProcessBuilder("/usr/bin/qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", VOLUME,
                store.resolve(NEW_FILE).toString()).inheritIO().start();
        assertEquals("qemu-img create", 0, qemuImg.waitFor());
        executeCommand("volume:connect snapshot-test '" + ci + "'");
        try {
            assertEquals(1, sandboxMounts().size());
            assertErrorCode("DISK_NOT_FOUND", commandError("volume:snapshot-create --snapshot-id " + SNAPSHOT + " --new-file " + NEW_FILE
                    + " test '" + ci + "'"));
            assertErrorCode("DISK_NOT_FOUND", commandError("volume:snapshot-delete --file-to-merge " + VOLUME + " test '" + ci + "'"));
            assertErrorCode("INVALID_CONNECTION_INFO", commandError("volume:snapshot-delete --file-to-merge " + VOLUME
                    + ".00000000-0000-4000-8000-000000000000 test '" + ci + "'"));
            String attachments = executeCommand("volume:attachments --no-format");
            assertTrue("the record is where it was: " + attachments, attachments.contains("snapshot-test\t" + VOLUME + "\t"));
        } finally {
            executeCommand("volume:disconnect snapshot-test '" + ci + "'");
            Files.deleteIfExists(store.resolve(NEW_FILE));
        }
        assertEquals(List.of(), sandboxMounts());
    }

    @Test
    public void t99_theLogHasNoErrors() {
        assertNoLogErrors();
    }

    private long mountRuns() {
        var stats = getOsgiService(CommandExecutor.class).statistics().get("mount.quobyte");
        return stats == null ? 0 : stats.runs();
    }
}
