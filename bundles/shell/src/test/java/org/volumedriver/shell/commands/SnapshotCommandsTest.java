package org.volumedriver.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.libvirt.AttachedVolumes;
import org.volumedriver.libvirt.BlockJobActiveException;
import org.volumedriver.libvirt.BlockJobFailedException;
import org.volumedriver.libvirt.BlockJobProgress;
import org.volumedriver.libvirt.ChainLink;
import org.volumedriver.libvirt.ChainMismatchException;
import org.volumedriver.libvirt.DiskChain;
import org.volumedriver.libvirt.DiskNotFoundException;
import org.volumedriver.libvirt.ExtendResult;
import org.volumedriver.libvirt.InvalidSizeException;
import org.volumedriver.libvirt.MergeKind;
import org.volumedriver.libvirt.MergeResult;
import org.volumedriver.libvirt.SnapshotResult;
import org.volumedriver.shell.testing.ShellHarness;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.testsupport.FakeVolumeDriver;

/**
 * {@code volume:snapshot-create}, {@code volume:snapshot-delete}, {@code volume:extend} and
 * {@code volume:chain} through Karaf's real command processor, with a scripted
 * {@link AttachedVolumes}: argument handling, output, progress lines and the one error line.
 */
class SnapshotCommandsTest {

    static final String NAME = CommandsTest.NAME;
    static final String JSON = CommandsTest.JSON;
    static final String SNAPSHOT = "0d4c2e8a-1b3f-4a5e-9c7d-6e8f0a1b2c3d";
    static final String DIR = "/mnt/q/c94ed34ada0acf45c1213beb1fc52ce6/";
    static final String NEW_FILE = NAME + "." + SNAPSHOT;

    @TempDir
    Path dir;

    final FakeVolumeDriver quobyte = new FakeVolumeDriver("quobyte");
    final ScriptedVolumes volumes = new ScriptedVolumes();
    ShellHarness shell;

    @AfterEach
    void close() {
        if (shell != null) {
            shell.close();
        }
    }

    @Test
    void snapshotCreateSwitchesTheDiskAndPrintsTheNewChain() {
        shell = VolumeShell.with(quobyte, volumes);
        String out = shell.ok("volume:snapshot-create --snapshot-id " + SNAPSHOT + " --new-file " + NEW_FILE + " vm1 '" + JSON + "'").out();
        assertEquals(List.of("snapshotCreate vm1 " + NAME + " " + SNAPSHOT + " " + NEW_FILE), volumes.calls);
        List<String> lines = out.lines().toList();
        assertEquals("Snapshot " + SNAPSHOT + " of domain vm1: vdb now writes to " + DIR + NEW_FILE, lines.get(0));
        assertEquals(List.of("Domain      : vm1", "Target dev  : vdb", "Snapshot id : " + SNAPSHOT, "Active file : " + DIR + NEW_FILE,
                "Quiesced    : no (crash-consistent: the guest agent did not freeze the file systems)"), lines.subList(1, 6));
        assertTrue(lines.get(6).startsWith("Took ms     : "), lines.get(6));
        assertEquals("", lines.get(7));
        assertTrue(lines.get(8).matches("Position \\| Path\\s+\\| Format"), lines.get(8));
        assertTrue(lines.get(10).matches("\\s+0 \\| " + DIR + NEW_FILE + " \\| qcow2"), lines.get(10));
        assertTrue(lines.get(11).matches("\\s+1 \\| " + DIR + NAME + "\\s+\\| raw"), lines.get(11));
        assertFalse(out.contains("hunter2"), out);

        // the connection info from a file works the same
        Path file = write(JSON);
        shell.ok("volume:snapshot-create --snapshot-id " + SNAPSHOT + " --new-file " + NEW_FILE + " -f " + file + " vm2");
        assertEquals("snapshotCreate vm2 " + NAME + " " + SNAPSHOT + " " + NEW_FILE, volumes.calls.get(1));
    }

    @Test
    void snapshotDeleteFollowsNovasRuleAndShowsTheBlockJobsProgress() {
        shell = VolumeShell.with(quobyte, volumes);
        volumes.progress = List.of(new long[] { 0, 0 }, new long[] { 0, 100 }, new long[] { 5, 100 }, new long[] { 55, 100 },
                new long[] { 100, 100 });
        String commit = shell.ok("volume:snapshot-delete --file-to-merge " + NEW_FILE + " --merge-target " + NAME + " vm1 '" + JSON + "'")
                .out();
        assertEquals("snapshotDelete vm1 " + NAME + " " + NEW_FILE + " " + NAME, volumes.calls.get(0));
        List<String> lines = commit.lines().toList();
        // no terminal in this session: plain lines at every tenth, as for scripts
        assertEquals(List.of("Block commit: 0%", "Block commit: 55%", "Block commit: 100%"), lines.subList(0, 3));
        assertEquals("Merged " + DIR + NEW_FILE + " out of the chain of vdb in domain vm1 (COMMIT); the file stays on the share for the "
                + "storage side to delete", lines.get(3));
        assertTrue(commit.contains("Merge       : COMMIT"), commit);
        assertTrue(commit.contains("Merged away : " + DIR + NEW_FILE), commit);

        String rebase = shell.ok("volume:snapshot-delete --file-to-merge " + NAME + " vm1 '" + JSON + "'").out();
        assertEquals("snapshotDelete vm1 " + NAME + " " + NAME + " null", volumes.calls.get(1));
        assertTrue(rebase.startsWith("Block rebase: 0%"), rebase);
        assertTrue(rebase.contains("(REBASE)"), rebase);
    }

    @Test
    void extendTakesBytesOrABinarySuffixAndTheFileForm() {
        shell = VolumeShell.with(quobyte, volumes);
        String out = shell.ok("volume:extend vm1 '" + JSON + "' 2G").out();
        assertEquals("extend vm1 " + NAME + " 2147483648", volumes.calls.get(0));
        assertEquals(List.of("Extended vdb of domain vm1 from 1073741824 to 2147483648 bytes", "Domain     : vm1", "Target dev : vdb",
                "Old size   : 1073741824 (1 GiB)", "New size   : 2147483648 (2 GiB)"), out.lines().limit(5).toList());
        shell.ok("volume:extend vm1 '" + JSON + "' 3221225472");
        assertEquals("extend vm1 " + NAME + " 3221225472", volumes.calls.get(1));
        shell.ok("volume:extend -f " + write(JSON) + " vm1 512M");
        assertEquals("extend vm1 " + NAME + " 536870912", volumes.calls.get(2));
    }

    @Test
    void aSizeThatIsNotStrictlyASizeIsRefusedBeforeAnythingIsAsked() {
        shell = VolumeShell.with(quobyte, volumes);
        for (String size : List.of("0", "2g", "1.5G", "-1", "2GB", "2GiB", "1e9", "0x10", "010", "8388608T")) {
            String line = shell.run("volume:extend vm1 '" + JSON + "' " + size).errorLine();
            assertTrue(line.startsWith("Error [INVALID_ARGUMENT]: size '" + size + "' is "), line);
        }
        assertEquals("Error [INVALID_ARGUMENT]: the new size is missing; usage: " + ExtendCommand.USAGE,
                shell.run("volume:extend vm1 '" + JSON + "'").errorLine());
        assertEquals("Error [INVALID_ARGUMENT]: give the connection info either as an argument or with --file, not both",
                shell.run("volume:extend -f " + write(JSON) + " vm1 '" + JSON + "' 1G").errorLine());
        assertTrue(shell.run("volume:extend '" + JSON + "' 1G").errorLine()
                .startsWith("Error [INVALID_ARGUMENT]: the domain is missing before the connection info; usage: volume:extend"));
        assertEquals(List.of(), volumes.calls);
    }

    @Test
    void chainIsATableActiveFirstOrPlainRows() {
        shell = VolumeShell.with(quobyte, volumes);
        volumes.chainLinks = List.of(new ChainLink(DIR + NEW_FILE, "qcow2"), new ChainLink(DIR + "evil\nname", "qcow2"),
                new ChainLink(DIR + NAME, "raw"));
        List<String> lines = shell.ok("volume:chain vm1 '" + JSON + "'").out().lines().toList();
        assertEquals("Chain of vdb in domain vm1 (serial 6f2c1f8e-0a41-4e0e-9d0c-9ad7f1f0a111): 3 files, the active one first", lines.get(0));
        assertEquals(6, lines.size(), lines.toString());
        assertTrue(lines.get(3).matches("\\s+0 \\| " + DIR + NEW_FILE + " \\| qcow2"), lines.get(3));
        assertTrue(lines.get(4).contains(DIR + "evil?name"), "no control character reaches the terminal: " + lines.get(4));
        assertEquals(List.of("0\t" + DIR + NEW_FILE + "\tqcow2", "1\t" + DIR + "evil?name\tqcow2", "2\t" + DIR + NAME + "\traw"),
                shell.ok("volume:chain --no-format vm1 '" + JSON + "'").out().lines().toList());
        assertEquals("chain vm1 " + NAME, volumes.calls.get(0));
    }

    @Test
    void typedRefusalsAreOneLineWithTheirCode() {
        shell = VolumeShell.with(quobyte, volumes);
        String create = "volume:snapshot-create --snapshot-id " + SNAPSHOT + " --new-file " + NEW_FILE + " vm1 '" + JSON + "'";
        volumes.failure = new DiskNotFoundException("vm1", "serial '6f2c1f8e-0a41-4e0e-9d0c-9ad7f1f0a111'");
        assertEquals("Error [DISK_NOT_FOUND]: domain 'vm1' has no disk with serial '6f2c1f8e-0a41-4e0e-9d0c-9ad7f1f0a111'",
                shell.run(create).errorLine());
        volumes.failure = new ChainMismatchException("the backing file of 'x' is not the active file\nof vdb");
        assertEquals("Error [CHAIN_MISMATCH]: backing chain mismatch: the backing file of 'x' is not the active file of vdb",
                shell.run(create).errorLine());
        volumes.failure = new BlockJobActiveException("vm1", "vdb", 3);
        assertTrue(shell.run("volume:extend vm1 '" + JSON + "' 1G").errorLine().startsWith("Error [BLOCK_JOB_ACTIVE]: domain 'vm1' disk 'vdb'"));
        volumes.failure = new InvalidSizeException(1L << 30, "smaller than the disk's capacity now (2147483648 bytes)");
        assertEquals("Error [INVALID_SIZE]: size 1073741824 bytes refused: smaller than the disk's capacity now (2147483648 bytes)",
                shell.run("volume:extend vm1 '" + JSON + "' 1G").errorLine());

        // a job that fails after reporting progress: the plain progress lines, then the one error line
        volumes.failure = new BlockJobFailedException("vm1", "vdb", "no end within 600000 ms; aborted", true);
        volumes.progress = List.<long[]>of(new long[] { 30, 100 });
        ShellHarness.Result failed = shell.run("volume:snapshot-delete --file-to-merge " + NAME + " vm1 '" + JSON + "'");
        assertEquals("Error [BLOCK_JOB_FAILED]: block job on domain 'vm1' disk 'vdb' timed out: no end within 600000 ms; aborted",
                failed.errorLine());
        assertEquals(List.of("Block rebase: 30%"), failed.out().lines().toList());
    }

    @Test
    void missingArgumentsAndServicesAreSaidBeforeAnythingRuns() {
        shell = VolumeShell.with(quobyte);
        assertTrue(shell.run("volume:chain vm1 '" + JSON + "'").errorLine()
                .startsWith("Error [SERVICE_UNAVAILABLE]: no libvirt attached volumes service is registered"));
        shell.close();
        shell = VolumeShell.with(quobyte, volumes);
        assertEquals("Error [INVALID_ARGUMENT]: connection info is missing: give it as a JSON argument in single quotes or with --file <path>",
                shell.run("volume:snapshot-create --snapshot-id " + SNAPSHOT + " --new-file " + NEW_FILE + " vm1").errorLine());
        assertTrue(shell.run("volume:snapshot-create --snapshot-id " + SNAPSHOT + " --new-file " + NEW_FILE + " '" + JSON + "'").errorLine()
                .startsWith("Error [INVALID_ARGUMENT]: the domain is missing before the connection info; usage: volume:snapshot-create"));
        // Karaf's own wording for a missing required option
        ShellHarness.Result noFile = shell.run("volume:snapshot-create --snapshot-id " + SNAPSHOT + " vm1 '" + JSON + "'");
        assertTrue(String.valueOf(noFile.failure()).contains("--new-file"), String.valueOf(noFile.failure()));
        // Karaf takes options before the arguments only
        ShellHarness.Result late = shell.run("volume:snapshot-create vm1 '" + JSON + "' --snapshot-id " + SNAPSHOT + " --new-file " + NEW_FILE);
        assertTrue(String.valueOf(late.failure()).contains("Too many arguments"), String.valueOf(late.failure()));
        assertTrue(shell.run("volume:chain vm1 '" + JSON.replace("\"quobyte\"", "\"nfs\"") + "'").failure() == null,
                "the service, not the shell, chooses the driver");
        assertEquals(List.of("chain vm1 " + NAME), volumes.calls);
    }

    private Path write(String text) {
        try {
            return Files.writeString(Files.createTempFile(dir, "ci", ".json"), text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Records the calls and answers with a fixed chain, or the failure it is given. */
    static final class ScriptedVolumes implements AttachedVolumes {
        final List<String> calls = new ArrayList<>();
        List<ChainLink> chainLinks = List.of(new ChainLink(DIR + NEW_FILE, "qcow2"), new ChainLink(DIR + NAME, "raw"));
        List<long[]> progress = List.of();
        VolumeDriverException failure;

        private DiskChain chain(String domain) {
            return new DiskChain(domain, "vdb", Optional.of(NAME.substring("volume-".length())), chainLinks);
        }

        private void failIfScripted() throws VolumeDriverException {
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public SnapshotResult snapshotCreate(String domain, ConnectionInfo info, String snapshotId, String newFile)
                throws VolumeDriverException {
            calls.add("snapshotCreate " + domain + " " + info.requireName() + " " + snapshotId + " " + newFile);
            failIfScripted();
            return new SnapshotResult(domain, snapshotId, "vdb", chain(domain), false, Duration.ofMillis(42));
        }

        @Override
        public MergeResult snapshotDelete(String domain, ConnectionInfo info, String fileToMerge, String mergeTargetFile,
                BlockJobProgress listener) throws VolumeDriverException {
            calls.add("snapshotDelete " + domain + " " + info.requireName() + " " + fileToMerge + " " + mergeTargetFile);
            for (long[] p : progress) {
                listener.progress(p[0], p[1]);
            }
            failIfScripted();
            return new MergeResult(domain, "vdb", mergeTargetFile == null ? MergeKind.REBASE : MergeKind.COMMIT, DIR + NEW_FILE,
                    chain(domain), Duration.ofMillis(7));
        }

        @Override
        public ExtendResult extend(String domain, ConnectionInfo info, long newSizeBytes) throws VolumeDriverException {
            calls.add("extend " + domain + " " + info.requireName() + " " + newSizeBytes);
            failIfScripted();
            return new ExtendResult(domain, "vdb", 1L << 30, newSizeBytes, Duration.ofMillis(3));
        }

        @Override
        public DiskChain chain(String domain, ConnectionInfo info) throws VolumeDriverException {
            calls.add("chain " + domain + " " + info.requireName());
            failIfScripted();
            return chain(domain);
        }
    }
}
