package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.spi.CommandRejectedException;
import org.volumedriver.testsupport.ShippedExecutor;

/** The shipped executor configuration with a stand-in for mount.quobyte, as the drivers' real-mount tests run it. */
class ShippedExecutorTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final String DIR = "/srv/mnt/c94ed34ada0acf45c1213beb1fc52ce6";

    @TempDir
    Path tmp;

    @Test
    void theShippedAllowlistWithTheStandIn() throws Exception {
        Path standin = TestPrograms.argvEcho(tmp, "mount.quobyte");
        ExecutorSettings settings = ExecutorSettings.fromProperties(ShippedExecutor.properties(standin));
        assertEquals(ShippedAllowlist.NAMES, settings.commands().stream().map(ExecutorSettings.CommandSpec::name).toList());
        assertEquals(standin.toString(), settings.commands().get(0).executable());
        assertEquals("/usr/bin/umount", settings.commands().get(1).executable());
        assertEquals(16, ExecutorSettings.fromProperties(ShippedExecutor.properties(standin, Map.of("max.concurrent", "16")))
                .maxConcurrent());
    }

    @Test
    void theStandInRunsWithTheShippedForms() throws Exception {
        Path standin = TestPrograms.argvEcho(tmp, "mount.quobyte");
        ExecutorSettings settings = ExecutorSettings.fromProperties(ShippedExecutor.properties(standin));
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(settings)) {
            CommandDefinition mount = executor.allowlist().get(0);
            assertEquals(true, mount.usable(), mount.problem());
            List<String> args = List.of("--disable-xattrs", "registry:7861/volume-1", DIR, "-c", "/etc/quobyte/client.cfg");
            CommandResult r = executor.run(new CommandRequest("mount.quobyte", args, T, null, null));
            assertEquals(args, TestPrograms.splitNul(r.stdout()));
            assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("mount.quobyte", T,
                    "--disable-xattrs", "registry/volume-1", "/srv/mnt/../etc")));
            assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("mount.quobyte", T,
                    "--disable-xattrs", "-o", DIR)));
        }
    }
}
