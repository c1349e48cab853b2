package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.exec.internal.TestPrograms.argvEcho;
import static org.volumedriver.exec.internal.TestPrograms.readPid;
import static org.volumedriver.exec.internal.TestPrograms.script;
import static org.volumedriver.exec.internal.TestPrograms.splitNul;
import static org.volumedriver.testsupport.ProcStat.alive;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.CommandRejectedException;
import org.volumedriver.spi.ExecutorSaturatedException;

class ProcessCommandExecutorTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final String MD5 = "c94ed34ada0acf45c1213beb1fc52ce6";
    private static final String EXPORT = "_quobyte._tcp.example.org:7861,[fe80::1]:7861,10.0.0.1/volume-00001_a.b";

    @TempDir
    Path dir;

    private Path marker;
    private Path echo;
    private ProcessCommandExecutor executor;

    @BeforeEach
    void setUp() throws Exception {
        marker = dir.resolve("marker");
        echo = argvEcho(dir, "echo-argv");
        // every run of this program leaves a marker, so "nothing ran" can be checked
        Path marking = script(dir, "marking", "touch '" + marker + "'\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done");
        executor = new ProcessCommandExecutor(ShippedAllowlist.builder()
                .executable("mount.quobyte", marking.toString())
                .executable("umount", marking.toString())
                .command("true", "/usr/bin/true", false, List.of(List.of()))
                .command("env", "/usr/bin/env", false, List.of(List.of()))
                .command("pwd", "/usr/bin/pwd", false, List.of(List.of()))
                .command("cat", "/usr/bin/cat", false, List.of(List.of()))
                .command("exit", script(dir, "exit", "echo out; echo err >&2; exit \"$1\"").toString(), false,
                        List.of(List.of("[0-9]{1,3}")))
                .command("echo", echo.toString(), false, List.of(
                        List.of("--password", "[ -~]+"),
                        List.of("[ -~]+", "[ -~]+", "[ -~]+")))
                .command("loose", marking.toString(), false, List.of(List.of(".*")))
                .build());
    }

    @AfterEach
    void tearDown() {
        executor.close();
    }

    @Test
    void successAndExitStatusArePreserved() throws Exception {
        CommandResult ok = executor.run(CommandRequest.of("true", T));
        assertTrue(ok.succeeded());
        assertEquals(0, ok.exitStatus());
        assertFalse(ok.timedOut());

        CommandResult failed = executor.run(CommandRequest.of("exit", T, "7"));
        assertEquals(7, failed.exitStatus());
        assertFalse(failed.succeeded());
        assertEquals("out\n", failed.stdout());
        assertEquals("err\n", failed.stderr());
        CommandFailedException e = assertThrows(CommandFailedException.class, () -> failed.requireSuccess(T));
        assertEquals(7, e.exitStatus());
        assertEquals(200, executor.run(CommandRequest.of("exit", T, "200")).exitStatus());
        assertTrue(executor.run(CommandRequest.of("true", Duration.ofDays(365L * 1000))).succeeded(),
                "a timeout too long for nanoseconds is not an error");

        CommandStatistics stats = executor.statistics().get("exit");
        assertEquals(2, stats.runs());
        assertEquals(2, stats.failures());
        assertEquals(0, stats.timeouts());
        assertTrue(stats.maxDuration().compareTo(Duration.ZERO) > 0);
        assertTrue(stats.totalDuration().compareTo(stats.maxDuration()) >= 0);
        assertEquals(2, executor.statistics().get("true").runs());
    }

    @Test
    void unknownCommandIsRefusedBeforeSpawning() throws Exception {
        CommandRejectedException e = assertThrows(CommandRejectedException.class,
                () -> executor.run(CommandRequest.of("mount.quobytex", T, "--disable-xattrs", EXPORT, "/srv/m/" + MD5)));
        assertEquals("COMMAND_REJECTED", e.code());
        assertFalse(Files.exists(marker), "nothing may run for an unknown command");
        assertEquals(1, executor.statistics().get(ProcessCommandExecutor.UNKNOWN_COMMAND).rejected());
        // the same arguments under the allowlisted name do run (so the marker check can fail)
        executor.run(CommandRequest.of("mount.quobyte", T, "--disable-xattrs", EXPORT, "/srv/m/" + MD5));
        assertTrue(Files.exists(marker));
    }

    static Stream<Arguments> badArguments() {
        String d = "/srv/m/" + MD5;
        return Stream.of(
                Arguments.of("too few", List.of("--disable-xattrs", EXPORT)),
                Arguments.of("too many", List.of("--disable-xattrs", EXPORT, d, "-c")),
                Arguments.of("none", List.of()),
                Arguments.of("missing option", List.of(EXPORT, d, "x")),
                Arguments.of("export fails pattern", List.of("--disable-xattrs", "host/vol@x", d)),
                Arguments.of("dir not md5", List.of("--disable-xattrs", EXPORT, "/srv/m/abc")),
                Arguments.of("relative dir", List.of("--disable-xattrs", EXPORT, "srv/m/" + MD5)),
                Arguments.of("dotdot dir", List.of("--disable-xattrs", EXPORT, "/srv/../etc/" + MD5)),
                Arguments.of("dot dir", List.of("--disable-xattrs", EXPORT, "/srv/./m/" + MD5)),
                Arguments.of("option as export", List.of("--disable-xattrs", "-oallow_other", d)),
                Arguments.of("option as dir", List.of("--disable-xattrs", EXPORT, "--bind")),
                Arguments.of("cfg relative", List.of("--disable-xattrs", EXPORT, d, "-c", "client.cfg")),
                Arguments.of("cfg dotdot", List.of("--disable-xattrs", EXPORT, d, "-c", "/etc/../shadow")),
                Arguments.of("wrong option", List.of("--disable-xattrs", EXPORT, d, "-o", "/etc/x")),
                Arguments.of("NUL", List.of("--disable-xattrs", EXPORT + "\0", d)),
                Arguments.of("newline", List.of("--disable-xattrs", EXPORT, d + "\n")),
                Arguments.of("tab", List.of("--disable-xattrs", "a\tb/vol", d)),
                Arguments.of("semicolon", List.of("--disable-xattrs", "host;reboot/vol", d)),
                Arguments.of("command substitution", List.of("--disable-xattrs", "$(reboot)/vol", d)),
                Arguments.of("backticks", List.of("--disable-xattrs", "`reboot`/vol", d)),
                Arguments.of("space", List.of("--disable-xattrs", "host /vol", d)),
                Arguments.of("pipe", List.of("--disable-xattrs", "host|x/vol", d)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    void badArgumentsAreRefusedBeforeSpawning(String label, List<String> args) {
        CommandRejectedException e = assertThrows(CommandRejectedException.class,
                () -> executor.run(new CommandRequest("mount.quobyte", args, T, null, null)));
        assertEquals("mount.quobyte", e.command());
        assertFalse(Files.exists(marker), "nothing may run: " + label);
        assertFalse(e.getMessage().contains("\0") || e.getMessage().contains("\n"), "message is printable");
        assertEquals(1, executor.statistics().get("mount.quobyte").rejected());
        assertEquals(0, executor.statistics().get("mount.quobyte").runs());
    }

    @Test
    void controlCharactersAndOptionsAreRefusedEvenWhereThePatternWouldAllowThem() throws Exception {
        for (String bad : List.of("a\0b", "a\nb", "a\rb", "\u001b[31m", "a\u007fb", "a\u0085b", "-rf", "--help")) {
            assertThrows(CommandRejectedException.class,
                    () -> executor.run(CommandRequest.of("loose", T, bad)));
        }
        assertFalse(Files.exists(marker));
        executor.run(CommandRequest.of("loose", T, "plain"));
        assertTrue(Files.exists(marker));
    }

    @Test
    void wrongCountAndUnusableFormsAreRefused() {
        CommandRejectedException e = assertThrows(CommandRejectedException.class,
                () -> executor.run(CommandRequest.of("true", T, "x")));
        assertTrue(e.getMessage().contains("number of arguments"), e.getMessage());
        // the scope wrapper has no forms: it cannot be run directly
        assertThrows(CommandRejectedException.class,
                () -> executor.run(CommandRequest.of("systemd-run", T, "--scope", "/bin/sh")));
    }

    @Test
    void allowedValuesReachTheChildByteForByte() throws Exception {
        List<String> args = List.of("--disable-xattrs", EXPORT, "/var/lib/volumedriver/mnt/" + MD5, "-c",
                "/etc/quobyte/client.cfg");
        CommandResult r = executor.run(new CommandRequest("mount.quobyte", args, T, null, null));
        assertEquals(args, splitNul(r.stdout()));

        // no shell anywhere: metacharacters arrive literally and nothing is expanded or executed
        Path evil = dir.resolve("pwned");
        List<String> literal = List.of("$(touch " + evil + ")", "`touch " + evil + "`; echo *", " 'quoted' \"d\" \\ ");
        CommandResult r2 = executor.run(new CommandRequest("echo", literal, T, null, null));
        assertEquals(literal, splitNul(r2.stdout()));
        assertFalse(Files.exists(evil));
    }

    @Test
    void argvIsRedactedInTheResultButNotForTheChild() throws Exception {
        CommandResult r = executor.run(CommandRequest.of("echo", T, "--password", "s3cret-value"));
        assertEquals(List.of("--password", "s3cret-value"), splitNul(r.stdout()));
        assertEquals(List.of(echo.toString(), "--password", "***"), r.argv());
    }

    @Test
    void childSeesOnlyPathAndLocaleAndRunsInRoot() throws Exception {
        CommandResult env = executor.run(CommandRequest.of("env", T));
        List<String> lines = env.stdout().lines().sorted().toList();
        assertEquals(List.of("LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"), lines);
        assertEquals("/\n", executor.run(CommandRequest.of("pwd", T)).stdout());
    }

    @Test
    void stdinIsPassedAndOtherwiseEmpty() throws Exception {
        byte[] input = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
        CommandResult r = executor.run(new CommandRequest("cat", List.of(), T, input, null));
        assertEquals("line one\nline two\n", r.stdout());
        assertEquals("", executor.run(CommandRequest.of("cat", T)).stdout());
        // more input than a pipe holds, echoed back while it is written: neither side waits on the other
        byte[] big = new byte[4 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        CommandResult echoed = executor.run(new CommandRequest("cat", List.of(), T, big, null));
        assertFalse(echoed.timedOut());
        assertEquals(0, echoed.exitStatus());
        assertTrue(echoed.outputTruncated());
        assertEquals(ExecutorSettings.DEFAULT_OUTPUT_CAP, echoed.stdout().length());
    }

    @Test
    void timeoutKillsChildAndGrandchild() throws Exception {
        Path childPid = dir.resolve("child.pid");
        Path grandchildPid = dir.resolve("grandchild.pid");
        Path hang = script(dir, "hang", "sleep 300 &\necho $! > '" + grandchildPid + "'\necho $$ > '" + childPid
                + "'\nwait");
        executor.reconfigure(ExecutorSettings.builder()
                .command("hang", hang.toString(), false, List.of(List.of())).build());
        Duration timeout = Duration.ofMillis(700);
        long start = System.nanoTime();
        CommandResult r = executor.run(CommandRequest.of("hang", timeout));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(r.timedOut());
        assertFalse(r.succeeded());
        assertTrue(took.compareTo(timeout.plusSeconds(3)) < 0, "took " + took);
        long child = readPid(childPid);
        long grandchild = readPid(grandchildPid);
        assertFalse(alive(child), "child " + child + " killed");
        waitUntilDead(grandchild);
        assertFalse(alive(grandchild), "grandchild " + grandchild + " killed");
        assertEquals(1, executor.statistics().get("hang").timeouts());
        assertThrows(org.volumedriver.spi.CommandTimedOutException.class, () -> r.requireSuccess(timeout));
    }

    @Test
    void aDetachedProcessHoldingTheOutputPipeDoesNotBlockTheCaller() throws Exception {
        Path pidFile = dir.resolve("detached.pid");
        // like a daemon that forgot to close stdout: it outlives the command, holding the pipe
        Path leaves = script(dir, "leaves", "echo before\nsleep 60 &\necho $! > '" + pidFile + "'\nexit 0");
        executor.reconfigure(ExecutorSettings.builder()
                .command("leaves", leaves.toString(), false, List.of(List.of())).build());
        try {
            long start = System.nanoTime();
            CommandResult r = executor.run(CommandRequest.of("leaves", T));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(0, r.exitStatus());
            assertFalse(r.timedOut());
            assertEquals("before\n", r.stdout());
            assertTrue(took.toSeconds() < 4, "returned when the command exited, not after the daemon: " + took);
            assertTrue(alive(readPid(pidFile)), "a process that left the tree normally is not killed");
        } finally {
            ProcessHandle.of(readPid(pidFile)).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static void waitUntilDead(long pid) throws InterruptedException {
        // SIGKILL is sent synchronously; the re-parented grandchild only needs to be reaped
        for (int i = 0; i < 50 && alive(pid); i++) {
            Thread.sleep(20);
        }
    }

    @Test
    void outputFloodOnBothStreamsIsCappedWithoutDeadlock() throws Exception {
        int cap = 64 * 1024;
        Path flood = script(dir, "flood",
                "head -c 30000000 /dev/zero | tr '\\0' 'o' &\nhead -c 30000000 /dev/zero | tr '\\0' 'e' >&2\nwait");
        executor.reconfigure(ExecutorSettings.builder().outputCapBytes(cap)
                .command("flood", flood.toString(), false, List.of(List.of())).build());
        CommandResult r = executor.run(CommandRequest.of("flood", Duration.ofSeconds(30)));
        assertFalse(r.timedOut(), "no deadlock");
        assertEquals(0, r.exitStatus());
        assertTrue(r.outputTruncated());
        assertEquals(cap, r.stdout().length());
        assertEquals(cap, r.stderr().length());
        assertTrue(r.stdout().chars().allMatch(c -> c == 'o'));
        assertTrue(r.stderr().chars().allMatch(c -> c == 'e'));
    }

    @Test
    void concurrencyBoundMakesTheNextCallerWaitThenFail() throws Exception {
        Path started = dir.resolve("started");
        Files.createDirectory(started);
        Path release = dir.resolve("release");
        // holds its slot until the test releases it (at most 20 s), so the timing cannot flake
        Path slow = script(dir, "slow", "touch '" + started + "'/$$\ni=0\nwhile [ ! -e '" + release
                + "' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done");
        executor.reconfigure(ExecutorSettings.builder().maxConcurrent(2).queueTimeout(Duration.ofMillis(400))
                .command("slow", slow.toString(), false, List.of(List.of()))
                .command("true", "/usr/bin/true", false, List.of(List.of())).build());
        List<CompletableFuture<CommandResult>> running = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            running.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return executor.run(CommandRequest.of("slow", Duration.ofSeconds(30)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int i = 0; i < 200; i++) {
            try (Stream<Path> s = Files.list(started)) {
                if (s.count() == 2) {
                    break;
                }
            }
            Thread.sleep(10);
        }
        try {
            long start = System.nanoTime();
            ExecutorSaturatedException e = assertThrows(ExecutorSaturatedException.class,
                    () -> executor.run(CommandRequest.of("slow", T)));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertEquals("EXECUTOR_SATURATED", e.code());
            assertTrue(waited.toMillis() >= 350, "the caller waited for a slot: " + waited);
            try (Stream<Path> s = Files.list(started)) {
                assertEquals(2, s.count(), "the refused caller started nothing");
            }
        } finally {
            Files.createFile(release);
        }
        for (CompletableFuture<CommandResult> f : running) {
            assertEquals(0, f.get().exitStatus());
        }
        assertEquals(1, executor.statistics().get("slow").rejected());
        // slots were given back
        assertEquals(0, executor.run(CommandRequest.of("true", T)).exitStatus(), "a slot is free again");
    }

    @Test
    void groupWritableOrForeignExecutablesAreUnusableOthersKeepWorking() throws Exception {
        Path writable = script(dir, "writable", "touch '" + marker + "'");
        Files.setPosixFilePermissions(writable, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxr-x"));
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, writable);
        executor.reconfigure(ExecutorSettings.builder()
                .command("writable", writable.toString(), false, List.of(List.of()))
                .command("link", link.toString(), false, List.of(List.of()))
                .command("missing", dir.resolve("nope").toString(), false, List.of(List.of()))
                .command("directory", dir.toString(), false, List.of(List.of()))
                .command("true", "/usr/bin/true", false, List.of(List.of()))
                .build());
        Map<String, String> problems = new java.util.HashMap<>();
        executor.allowlist().forEach(d -> problems.put(d.name(), d.usable() ? null : d.problem()));
        assertTrue(problems.get("writable").contains("writable"), problems.toString());
        assertTrue(problems.get("link").contains("writable"), problems.toString());
        assertTrue(problems.get("missing").contains("does not exist"), problems.toString());
        assertTrue(problems.get("directory").contains("regular file"), problems.toString());
        assertEquals(null, problems.get("true"));
        for (String name : List.of("writable", "link", "missing", "directory")) {
            assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of(name, T)));
        }
        assertFalse(Files.exists(marker));
        assertTrue(executor.run(CommandRequest.of("true", T)).succeeded());
    }

    @Test
    void executableInstalledAfterActivationBecomesUsableWithoutReload() throws Exception {
        Path later = dir.resolve("installed-later");
        executor.reconfigure(ExecutorSettings.builder()
                .command("later", later.toString(), false, List.of(List.of())).build());
        assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("later", T)));
        assertFalse(executor.allowlist().stream().filter(d -> d.name().equals("later")).findFirst().get().usable());
        script(dir, "installed-later", "echo here");
        assertEquals("here\n", executor.run(CommandRequest.of("later", T)).stdout());
        assertTrue(executor.allowlist().stream().filter(d -> d.name().equals("later")).findFirst().get().usable());
    }

    @Test
    void executableOwnedBySomeoneElseOrInAWritableDirectoryIsUnusable() throws Exception {
        int uid = ExecutableCheck.effectiveUid();
        Path foreign = script(dir, "foreign", "exit 0");
        Path openDir = dir.resolve("open");
        Files.createDirectory(openDir);
        Path inOpenDir = script(openDir, "inner", "exit 0");
        Files.setPosixFilePermissions(openDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        if (uid == 0) {
            Files.setAttribute(foreign, "unix:uid", 4242);
            String problem = ExecutableCheck.problem(foreign.toString(), uid);
            assertTrue(problem != null && problem.contains("owned by uid 4242"), String.valueOf(problem));
        }
        String problem = ExecutableCheck.problem(inOpenDir.toString(), uid);
        assertTrue(problem != null && problem.contains("directory"), String.valueOf(problem));
        assertEquals(null, ExecutableCheck.problem("/usr/bin/true", uid));
        assertTrue(ExecutableCheck.problem("/usr/bin/../bin/true", uid).contains("normalized"));
    }

    @Test
    void symlinkInAWritableDirectoryIsUnusableEvenIfItsTargetIsSafe() throws Exception {
        int uid = ExecutableCheck.effectiveUid();
        Path openDir = dir.resolve("open-links");
        Files.createDirectory(openDir);
        // whoever can write this directory can point the link at a binary of their choice
        Path link = Files.createSymbolicLink(openDir.resolve("mount.quobyte"), Path.of("/usr/bin/true"));
        Files.setPosixFilePermissions(openDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String problem = ExecutableCheck.problem(link.toString(), uid);
        assertTrue(problem != null && problem.contains("directory " + openDir), String.valueOf(problem));
        // a link kept in a safe directory to a safe target stays usable
        Path safeLink = Files.createSymbolicLink(dir.resolve("true-link"), Path.of("/usr/bin/true"));
        assertEquals(null, ExecutableCheck.problem(safeLink.toString(), uid));
    }

    @Test
    void malformedSettingsAreRefused() {
        List<ExecutorSettings> bad = List.of(
                ExecutorSettings.builder().command("x", "relative/true", false, List.of(List.of())).build(),
                ExecutorSettings.builder().command("x", "/usr/bin/true", false, List.of(List.of("(["))).build(),
                ExecutorSettings.builder().command("bad name", "/usr/bin/true", false, List.of()).build(),
                ExecutorSettings.builder().maxConcurrent(0).build(),
                ExecutorSettings.builder().outputCapBytes(10).build(),
                ExecutorSettings.builder().queueTimeout(Duration.ofMillis(-1)).build(),
                ExecutorSettings.builder().rootHelper("sudo", "-n").build());
        for (ExecutorSettings s : bad) {
            assertThrows(org.volumedriver.spi.InvalidConfigurationException.class, () -> executor.reconfigure(s),
                    s.toString());
        }
        // the previous configuration is still in force
        assertTrue(executor.allowlist().stream().anyMatch(d -> d.name().equals("echo")));
    }

    @Test
    void shippedAllowlistIsTheQuobyteCommandsOnly() throws Exception {
        try (ProcessCommandExecutor defaults = new ProcessCommandExecutor(ShippedAllowlist.builder().build())) {
            assertEquals(ShippedAllowlist.NAMES, defaults.allowlist().stream().map(d -> d.name()).toList());
            assertTrue(defaults.allowlist().stream().filter(d -> d.name().equals("umount")).findFirst().get().usable(),
                    "umount exists on this host at /usr/bin/umount");
            assertThrows(CommandRejectedException.class,
                    () -> defaults.run(CommandRequest.of("systemctl", T, "reboot")));
            // the scope control stops and resets only the Quobyte driver's own scope units
            for (String[] args : new String[][] { { "stop", "libvirtd.service" }, { "stop", "volumedriver.service" },
                    { "stop", "volumedriver-quobyte-0123.scope" }, { "kill", "volumedriver-quobyte-" + "0".repeat(32) + ".scope" },
                    { "stop", "volumedriver-quobyte-" + "0".repeat(32) + ".scope", "sshd.service" },
                    { "stop", "--all" }, { "reset-failed" } }) {
                assertThrows(CommandRejectedException.class,
                        () -> defaults.run(CommandRequest.of("systemctl-scope", T, args)), String.join(" ", args));
            }
            // the FUSE control: fusectl where it belongs, and abort files of connections, nothing else
            for (String[] args : new String[][] { { "-t", "fusectl", "none", "/mnt" }, { "-t", "tmpfs", "none", "/sys/fs/fuse/connections" },
                    { "--bind", "/", "/sys/fs/fuse/connections" }, { "-a" } }) {
                assertThrows(CommandRejectedException.class,
                        () -> defaults.run(CommandRequest.of("fusectl-mount", T, args)), String.join(" ", args));
            }
            for (String[] args : new String[][] { { "/etc/shadow" }, { "/sys/fs/fuse/connections/../../../../etc/shadow" },
                    { "/sys/fs/fuse/connections/12/waiting" }, { "/sys/fs/fuse/connections/12/abort", "/etc/shadow" },
                    { "-a", "/sys/fs/fuse/connections/12/abort" }, { "/sys/fs/fuse/connections/x/abort" } }) {
                assertThrows(CommandRejectedException.class,
                        () -> defaults.run(CommandRequest.of("fuse-abort", T, args)), String.join(" ", args));
            }
            assertThrows(CommandRejectedException.class,
                    () -> defaults.run(CommandRequest.of("umount", T, "-a")));
            assertThrows(CommandRejectedException.class,
                    () -> defaults.run(CommandRequest.of("umount", T, "/")));
        }
    }

    @Test
    void anUnconfiguredExecutorRefusesEveryCommandBeforeSpawning() throws Exception {
        try (ProcessCommandExecutor unconfigured = new ProcessCommandExecutor(ExecutorSettings.defaults())) {
            assertEquals(List.of(), unconfigured.allowlist());
            String d = "/srv/m/" + MD5;
            for (CommandRequest request : List.of(
                    CommandRequest.of("mount.quobyte", T, "--disable-xattrs", EXPORT, d),
                    CommandRequest.of("umount", T, "--no-canonicalize", d),
                    CommandRequest.of("systemctl", T, "is-system-running"),
                    CommandRequest.of("systemd-run", T),
                    CommandRequest.of("true", T),
                    CommandRequest.of("mount.quobyte", T, "--disable-xattrs", EXPORT, d).inScope(
                            new org.volumedriver.exec.TransientScope("volumedriver-" + MD5 + ".scope", "system.slice", "mount")))) {
                CommandRejectedException e = assertThrows(CommandRejectedException.class, () -> unconfigured.run(request));
                assertEquals("COMMAND_REJECTED", e.code());
                assertTrue(e.getMessage().contains("not in the allowlist"), e.getMessage());
            }
            assertEquals(6, unconfigured.statistics().get(ProcessCommandExecutor.UNKNOWN_COMMAND).rejected());
            assertEquals(0, unconfigured.statistics().get(ProcessCommandExecutor.UNKNOWN_COMMAND).runs());
        }
    }
}
