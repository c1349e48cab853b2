package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import org.volumedriver.testsupport.ProcStat;

class ScopeAndPrivilegeTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final String MD5 = "c94ed34ada0acf45c1213beb1fc52ce6";
    private static final TransientScope SCOPE = new TransientScope("volumedriver-quobyte-" + MD5 + ".scope",
            "system.slice", "volumedriver quobyte mount");

    /** timeout(1) from coreutils, which the root helper runs in front of privileged commands by default. */
    private static final String TIMEOUT = ExecutorSettings.DEFAULT_HELPER_TIMEOUT;

    @TempDir
    Path dir;

    /** A root helper that runs the command as it is (drops sudo's -n): what sudo does, minus the privilege. */
    private Path passThroughHelper() throws Exception {
        return script(dir, "pass-through-sudo", "shift\nexec \"$@\"");
    }

    private static int notRoot() {
        int me = ExecutableCheck.effectiveUid();
        return me == 0 ? 4242 : me;
    }

    @Test
    void aTimedOutPrivilegedCommandIsEndedByTimeoutInsideTheRootHelper() throws Exception {
        // with a root helper the command runs as root and the unprivileged JVM could not kill it:
        // timeout(1), run through the helper, ends it and its process group
        Path grandchildPid = dir.resolve("grandchild.pid");
        Path hang = script(dir, "hang", "sleep 300 &\necho $! > '" + grandchildPid + "'\nwait");
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.builder()
                .rootHelper(passThroughHelper().toString(), "-n")
                .command("hang", hang.toString(), true, List.of(List.of()))
                .build(), notRoot())) {
            CommandResult r = executor.run(CommandRequest.of("hang", Duration.ofMillis(700)));
            assertEquals(124, r.exitStatus(), "timeout(1)'s status: it sent SIGTERM, not the JVM its SIGKILL");
            assertTrue(r.timedOut());
            assertEquals(TIMEOUT, r.argv().get(2));
            assertEquals(1, executor.statistics().get("hang").timeouts());
            long grandchild = TestPrograms.readPid(grandchildPid);
            for (int i = 0; i < 100 && ProcStat.alive(grandchild); i++) {
                Thread.sleep(50);
            }
            assertFalse(ProcStat.alive(grandchild), "the grandchild " + grandchild + " went with its process group");
        }
    }

    @Test
    void aPrivilegedCommandIgnoringSigtermGetsSigkillFromTimeout() throws Exception {
        Path stubborn = script(dir, "stubborn", "trap '' TERM\nsleep 300");
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.builder()
                .rootHelper(passThroughHelper().toString(), "-n")
                .command("stubborn", stubborn.toString(), true, List.of(List.of()))
                .build(), notRoot())) {
            CommandResult r = executor.run(CommandRequest.of("stubborn", Duration.ofMillis(500)));
            assertEquals(137, r.exitStatus(), "timeout(1) sent SIGKILL after --kill-after");
            assertTrue(r.timedOut());
        }
    }

    @Test
    void anUnusableTimeoutRefusesPrivilegedCommandsAndAnEmptyOneIsLeftOut() throws Exception {
        Path target = script(dir, "target", "echo direct");
        ExecutorSettings.Builder settings = ExecutorSettings.builder()
                .rootHelper(passThroughHelper().toString(), "-n")
                .command("priv", target.toString(), true, List.of(List.of()))
                .command("plain", target.toString(), false, List.of(List.of()));
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(
                settings.helperTimeout(dir.resolve("no-timeout").toString()).build(), notRoot())) {
            CommandRejectedException e = assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("priv", T)));
            assertTrue(e.getMessage().contains("root.helper.timeout"), e.getMessage());
            assertEquals("direct\n", executor.run(CommandRequest.of("plain", T)).stdout());
        }
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(settings.helperTimeout("").build(), notRoot())) {
            CommandResult r = executor.run(CommandRequest.of("priv", T));
            assertEquals(List.of(passThroughHelper().toString(), "-n", target.toString()), r.argv());
            assertEquals("direct\n", r.stdout());
        }
        assertThrows(org.volumedriver.spi.InvalidConfigurationException.class,
                () -> new ProcessCommandExecutor(settings.helperTimeout("timeout").build(), notRoot()));
    }

    @Test
    void scopedRequestRunsUnderTheAllowlistedSystemdRunWithTheExactArgv() throws Exception {
        Path fakeSystemdRun = argvEcho(dir, "systemd-run");
        Path mount = script(dir, "mount.quobyte", "exit 0");
        List<String> args = List.of("--disable-xattrs", "registry:7861/volume-1", "/srv/mnt/" + MD5);
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ShippedAllowlist.builder()
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
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ShippedAllowlist.builder()
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
        try (ProcessCommandExecutor asUser = new ProcessCommandExecutor(settings, notRoot())) {
            CommandResult r = asUser.run(CommandRequest.of("priv", T, "arg"));
            assertEquals(List.of("-n", TIMEOUT, "--kill-after=2s", "10.000s", target.toString(), "arg"), splitNul(r.stdout()),
                    "ran through the helper, under timeout(1)");
            assertEquals(List.of(helper.toString(), "-n", TIMEOUT, "--kill-after=2s", "10.000s", target.toString(), "arg"), r.argv());
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
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ShippedAllowlist.builder()
                .rootHelper(helper.toString(), "-n")
                .executable("mount.quobyte", mount.toString())
                .systemdRun(fakeSystemdRun.toString())
                .build(), notRoot())) {
            CommandResult r = executor.run(CommandRequest.of("mount.quobyte", T, "--disable-xattrs",
                    "registry/volume-1", "/srv/mnt/" + MD5).inScope(SCOPE));
            List<String> seen = splitNul(r.stdout());
            assertEquals(List.of("-n", TIMEOUT, "--kill-after=2s", "10.000s", fakeSystemdRun.toString(), "--scope"), seen.subList(0, 6));
            assertEquals(mount.toString(), seen.get(12));
        }
    }

    @Test
    void unusableRootHelperRefusesPrivilegedCommandsWhenNotRoot() throws Exception {
        Path target = script(dir, "target", "echo direct");
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.builder()
                .rootHelper(dir.resolve("no-sudo").toString(), "-n")
                .command("priv", target.toString(), true, List.of(List.of()))
                .command("plain", target.toString(), false, List.of(List.of()))
                .build(), notRoot())) {
            assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("priv", T)));
            assertEquals("direct\n", executor.run(CommandRequest.of("plain", T)).stdout());
        }
    }
}
