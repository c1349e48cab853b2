package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.spi.VolumeDriverException;

/** The production FUSE control over a recording executor: the exact requests, and reading {@code waiting}. */
class CommandFuseControlTest {

    static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    Path root;
    Fakes.Table table;
    Fakes.Executor executor;
    CommandFuseControl fuse;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("connections"));
        table = new Fakes.Table();
        executor = new Fakes.Executor(table);
        fuse = new CommandFuseControl(executor, table, T, root);
    }

    @Test
    void theProductionInstanceNamesTheKernelsPlace() {
        assertEquals("/sys/fs/fuse/connections", FuseControl.CONNECTIONS);
        assertEquals(Optional.of(new FuseConnection(0, 52)), FuseConnection.parse("0:52"));
        assertEquals(52, new FuseConnection(0, 52).number());
        assertEquals((8L << 20) | 3, new FuseConnection(8, 3).number(), "the kernel's dev_t, as fusectl names the directory");
        for (String bad : new String[] { "", "0", "0:", ":1", "a:b", "0:52:1", "-1:3", "4096:1", "0:1048576", "0: 1" }) {
            assertEquals(Optional.empty(), FuseConnection.parse(bad), bad);
        }
    }

    @Test
    void fusectlIsMountedOnceWithFixedArguments() throws Exception {
        executor.fuseControl = r -> {
            table.mount(root.toString(), "fusectl", "none");
            return Fakes.Executor.result(r, 0, "");
        };
        assertEquals("fusectl mounted on " + root, fuse.ensureMounted());
        assertEquals("", fuse.ensureMounted(), "mounted already: nothing runs");
        List<CommandRequest> runs = executor.named(CommandFuseControl.MOUNT_COMMAND);
        assertEquals(1, runs.size());
        assertEquals(List.of("-t", "fusectl", "none", root.toString()), runs.get(0).arguments());
        assertEquals(T, runs.get(0).timeout());
        assertTrue(runs.get(0).optionalScope().isEmpty());
    }

    @Test
    void fusectlThatDoesNotAppearIsATypedOneLineError() {
        executor.fuseControl = r -> Fakes.Executor.result(r, 32, "");
        VolumeDriverException e = assertThrows(VolumeDriverException.class, fuse::ensureMounted);
        assertEquals("FUSE_CONTROL_UNAVAILABLE", e.code());
        assertTrue(e.getMessage().contains("exit status 32"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void theAbortWritesOneToTheConnectionsAbortFileThroughTee() throws Exception {
        Files.createDirectory(root.resolve("52"));
        FuseControl.Abort a = fuse.abort(new FuseConnection(0, 52));
        assertEquals(HealStep.Outcome.DONE, a.outcome());
        CommandRequest r = executor.named(CommandFuseControl.ABORT_COMMAND).get(0);
        assertEquals(List.of(root.resolve("52").resolve("abort").toString()), r.arguments());
        assertArrayEquals("1\n".getBytes(StandardCharsets.US_ASCII), r.stdin());

        executor.fuseControl = req -> Fakes.Executor.result(req, 1, "");
        FuseControl.Abort failed = fuse.abort(new FuseConnection(0, 52));
        assertEquals(HealStep.Outcome.FAILED, failed.outcome());
        assertTrue(failed.detail().contains("exit status 1"), failed.detail());
    }

    @Test
    void aConnectionThatIsGoneIsNotAborted() throws Exception {
        FuseControl.Abort a = fuse.abort(new FuseConnection(0, 77));
        assertEquals(HealStep.Outcome.NOT_NEEDED, a.outcome());
        assertTrue(executor.requests.isEmpty(), "nothing ran");
    }

    @Test
    void waitingIsReadAsANumberOrUnknown() throws Exception {
        Files.createDirectory(root.resolve("52"));
        Files.writeString(root.resolve("52").resolve("waiting"), "3\n");
        assertEquals(OptionalLong.of(3), fuse.waiting(new FuseConnection(0, 52)));
        assertEquals(OptionalLong.empty(), fuse.waiting(new FuseConnection(0, 53)), "gone, or fusectl not mounted");
        Files.writeString(root.resolve("52").resolve("waiting"), "many\n");
        assertEquals(OptionalLong.empty(), fuse.waiting(new FuseConnection(0, 52)));
        assertTrue(executor.requests.isEmpty(), "reading runs nothing");
    }
}
