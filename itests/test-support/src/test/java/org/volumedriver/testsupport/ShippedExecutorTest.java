package org.volumedriver.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;
import org.volumedriver.spi.CommandRejectedException;

class ShippedExecutorTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final String DIR = "/srv/mnt/c94ed34ada0acf45c1213beb1fc52ce6";

    @TempDir
    Path tmp;

    /** A stand-in that prints its arguments, each followed by a NUL byte. */
    private Path argvEcho() throws Exception {
        Path file = tmp.resolve("mount.quobyte");
        Files.writeString(file, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    @Test
    void theShippedAllowlistWithTheStandIn() throws Exception {
        Path standin = argvEcho();
        ExecutorSettings settings = ShippedExecutor.settings(standin);
        assertEquals(List.of("mount.quobyte", "umount", "systemctl", "systemd-run"),
                settings.commands().stream().map(ExecutorSettings.CommandSpec::name).toList());
        assertEquals(standin.toString(), settings.commands().get(0).executable());
        assertEquals("/usr/bin/umount", settings.commands().get(1).executable());
        assertEquals(16, ShippedExecutor.settings(standin, Map.of("max.concurrent", "16")).maxConcurrent());
    }

    @Test
    void theStandInRunsWithTheShippedForms() throws Exception {
        Path standin = argvEcho();
        try (ProcessCommandExecutor executor = ShippedExecutor.executor(standin)) {
            CommandDefinition mount = executor.allowlist().get(0);
            assertEquals(true, mount.usable(), mount.problem());
            List<String> args = List.of("--disable-xattrs", "registry:7861/volume-1", DIR, "-c", "/etc/quobyte/client.cfg");
            CommandResult r = executor.run(new CommandRequest("mount.quobyte", args, T, null, null));
            String out = r.stdout();
            assertEquals(args, Arrays.asList(out.substring(0, out.length() - 1).split("\0", -1)));
            assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("mount.quobyte", T,
                    "--disable-xattrs", "registry/volume-1", "/srv/mnt/../etc")));
            assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("mount.quobyte", T,
                    "--disable-xattrs", "-o", DIR)));
        }
    }
}
