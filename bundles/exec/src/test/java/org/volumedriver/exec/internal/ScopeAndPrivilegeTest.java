package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.volumedriver.exec.internal.TestPrograms.argvEcho;
import static org.volumedriver.exec.internal.TestPrograms.script;
import static org.volumedriver.exec.internal.TestPrograms.splitNul;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.TransientScope;
import org.volumedriver.spi.CommandRejectedException;

class ScopeAndPrivilegeTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final String MD5 = "c94ed34ada0acf45c1213beb1fc52ce6";
    private static final TransientScope SCOPE = new TransientScope("volumedriver-quobyte-" + MD5 + ".scope",
            "system.slice", "volumedriver quobyte mount");

    @TempDir
    Path dir;

    @Test
    void scopedRequestRunsUnderTheAllowlistedSystemdRunWithTheExactArgv() throws Exception {
        Path fakeSystemdRun = argvEcho(dir, "systemd-run");
        Path mount = script(dir, "mount.quobyte", "exit 0");
        List<String> args = List.of("--disable-xattrs", "registry:7861/volume-1", "/srv/mnt/" + MD5);
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.builder()
                .executable("mount.quobyte", mount.toString())
                .systemdRun(fakeSystemdRun.toString())
                .build(), 0)) {
            CommandResult r = executor.run(new CommandRequest("mount.quobyte", args, T, null, null).inScope(SCOPE));
            List<String> expected = new ArrayList<>(List.of("--scope", "--quiet", "--collect",
                    "--unit=volumedriver-quobyte-" + MD5 + ".scope", "--slice=system.slice",
                    "--description=volumedriver quobyte mount", "--", mount.toString()));
            expected.addAll(args);
            assertEquals(expected, splitNul(r.stdout()), "argv as systemd-run received it");
            List<String> full = new ArrayList<>(List.of(fakeSystemdRun.toString()));
            full.addAll(expected);
            assertEquals(full, r.argv());

            // the arguments are still checked against mount.quobyte's forms
            assertThrows(CommandRejectedException.class, () -> executor.run(
                    CommandRequest.of("mount.quobyte", T, "--disable-xattrs", "-o", "/x/" + MD5).inScope(SCOPE)));
        }
    }

    @Test
    void scopeIsRefusedWhenSystemdRunIsNotUsable() throws Exception {
        Path mount = script(dir, "mount.quobyte", "exit 0");
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.builder()
                .executable("mount.quobyte", mount.toString())
                .systemdRun(dir.resolve("missing-systemd-run").toString())
                .build(), 0)) {
            assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("mount.quobyte", T,
                    "--disable-xattrs", "registry/volume-1", "/srv/mnt/" + MD5).inScope(SCOPE)));
            assertEquals(0, executor.run(CommandRequest.of("mount.quobyte", T,
                    "--disable-xattrs", "registry/volume-1", "/srv/mnt/" + MD5)).exitStatus());
        }
    }

    @Test
    void rootHelperPrefixesPrivilegedCommandsOnlyWhenNotRoot() throws Exception {
        Path helper = argvEcho(dir, "fake-sudo");
        Path target = script(dir, "target", "echo direct");
        ExecutorSettings settings = ExecutorSettings.builder()
                .rootHelper(helper.toString(), "-n")
                .command("priv", target.toString(), true, List.of(List.of("[a-z]+")))
                .command("plain", target.toString(), false, List.of(List.of("[a-z]+")))
                .build();
        int me = ExecutableCheck.effectiveUid();
        int notRoot = me == 0 ? 4242 : me;
        try (ProcessCommandExecutor asUser = new ProcessCommandExecutor(settings, notRoot)) {
            CommandResult r = asUser.run(CommandRequest.of("priv", T, "arg"));
            assertEquals(List.of("-n", target.toString(), "arg"), splitNul(r.stdout()), "ran through the helper");
            assertEquals(List.of(helper.toString(), "-n", target.toString(), "arg"), r.argv());
            assertEquals("direct\n", asUser.run(CommandRequest.of("plain", T, "arg")).stdout(),
                    "unprivileged commands never get the prefix");
        }
        try (ProcessCommandExecutor asRoot = new ProcessCommandExecutor(settings, 0)) {
            CommandResult r = asRoot.run(CommandRequest.of("priv", T, "arg"));
            assertEquals("direct\n", r.stdout(), "root needs no helper");
            assertEquals(List.of(target.toString(), "arg"), r.argv());
        }
    }

    @Test
    void privilegedScopeWrapperGetsThePrefixInFront() throws Exception {
        Path helper = argvEcho(dir, "fake-sudo");
        Path fakeSystemdRun = script(dir, "systemd-run", "exit 0");
        Path mount = script(dir, "mount.quobyte", "exit 0");
        int me = ExecutableCheck.effectiveUid();
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.builder()
                .rootHelper(helper.toString(), "-n")
                .executable("mount.quobyte", mount.toString())
                .systemdRun(fakeSystemdRun.toString())
                .build(), me == 0 ? 4242 : me)) {
            CommandResult r = executor.run(CommandRequest.of("mount.quobyte", T, "--disable-xattrs",
                    "registry/volume-1", "/srv/mnt/" + MD5).inScope(SCOPE));
            List<String> seen = splitNul(r.stdout());
            assertEquals(List.of("-n", fakeSystemdRun.toString(), "--scope"), seen.subList(0, 3));
            assertEquals(mount.toString(), seen.get(9));
        }
    }

    @Test
    void unusableRootHelperRefusesPrivilegedCommandsWhenNotRoot() throws Exception {
        Path target = script(dir, "target", "echo direct");
        int me = ExecutableCheck.effectiveUid();
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.builder()
                .rootHelper(dir.resolve("no-sudo").toString(), "-n")
                .command("priv", target.toString(), true, List.of(List.of()))
                .command("plain", target.toString(), false, List.of(List.of()))
                .build(), me == 0 ? 4242 : me)) {
            assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("priv", T)));
            assertEquals("direct\n", executor.run(CommandRequest.of("plain", T)).stdout());
        }
    }
}
