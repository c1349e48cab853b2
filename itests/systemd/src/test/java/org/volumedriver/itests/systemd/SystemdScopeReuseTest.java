package org.volumedriver.itests.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.itests.systemd.SystemdHost.Result;

/**
 * Facts of systemd 252 that the Quobyte driver's scope handling (C1) relies on, shown on a real
 * systemd: a scope unit keeps its name while a process lives in it, so a second mount under the
 * same name is refused until the scope is stopped; a stop ends even a stopped or a SIGTERM-deaf
 * process; and a scope that failed without {@code --collect} keeps its name until
 * {@code reset-failed}. The durations are printed.
 */
class SystemdScopeReuseTest {

    static final String SLICE = "volumedriver.slice";

    @TempDir
    static Path stateDir;
    static SystemdHost host;

    @BeforeAll
    static void boot() throws Exception {
        SystemdHost.requirePrerequisites("the systemd scope facts");
        host = SystemdHost.start(stateDir);
        System.out.printf("systemd host booted in %d ms; %s%n", host.bootTime().toMillis(),
                host.run("systemctl", "--version").orFail().out().lines().findFirst().orElse(""));
    }

    @AfterAll
    static void shutDown() throws Exception {
        if (host != null) {
            System.out.printf("systemd host stopped in %d ms%n", host.stop().toMillis());
        }
    }

    @Test
    void aScopeNameIsTakenWhileItsDaemonLivesAndFreeAgainOnceTheScopeIsStopped() {
        // repeated: a stop followed at once by a new scope of the same name must not race
        for (int round = 1; round <= 3; round++) {
            String unit = newUnit();
            scope(unit, List.of(), "setsid sleep 1000 &").orFail();
            String daemon = daemonOf(unit);

            Result second = scope(unit, List.of(), "true");
            System.out.println("second scope of a live one: " + second);
            assertNotEquals(0, second.exitStatus(), "a second scope under the name of a live one is refused");
            assertEquals(daemon, daemonOf(unit), "the first scope and its daemon are untouched");

            host.run("systemctl", "stop", unit).orFail();
            Result reset = host.run("systemctl", "reset-failed", unit);
            System.out.println("reset-failed after the stop: " + reset);
            assertFalse(host.run("test", "-e", "/proc/" + daemon).succeeded(), "the stop ended the daemon");

            scope(unit, List.of(), "true").orFail();
            assertEquals("inactive", host.run("systemctl", "is-active", unit).out(), "--collect: nothing left of it");
            // what the driver reads as "there was nothing to end" (CommandMounter.UNIT_NOT_LOADED)
            assertEquals(5, host.run("systemctl", "stop", unit).exitStatus());
        }
    }

    @Test
    void aStopEndsAStoppedProcessWithoutWaitingForTheTimeout() {
        String unit = newUnit();
        scope(unit, List.of(), "setsid sleep 1000 &").orFail();
        String daemon = daemonOf(unit);
        host.run("kill", "-STOP", daemon).orFail();
        assertEquals("T", host.run("sh", "-c", "cut -d' ' -f3 /proc/" + daemon + "/stat").orFail().out(), "stopped");

        long started = System.nanoTime();
        host.run("systemctl", "stop", unit).orFail();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        System.out.printf("systemctl stop of a scope whose process is SIGSTOPped: %d ms%n", took.toMillis());
        // SIGTERM is followed by SIGCONT, so the stopped process ends at once (the default timeout is 90 s)
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, took.toString());
        assertFalse(host.run("test", "-e", "/proc/" + daemon).succeeded());
    }

    @Test
    void aStopOfASigtermDeafProcessWaitsForTheStopTimeoutThenKills() {
        String unit = newUnit();
        scope(unit, List.of("-p", "TimeoutStopSec=3s"), "setsid sh -c 'trap \"\" TERM; exec sleep 1000' &").orFail();
        String daemon = daemonOf(unit);
        assertTrue(ignoresSigterm(daemon), "the daemon ignores SIGTERM");

        long started = System.nanoTime();
        Result stop = host.run("systemctl", "stop", unit);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        Result reset = host.run("systemctl", "reset-failed", unit);
        System.out.printf("systemctl stop of a scope whose process ignores SIGTERM (TimeoutStopSec=3s): %d ms, %s%n"
                + "  then %s%n", took.toMillis(), stop, reset);
        assertEquals(0, stop.exitStatus(), "the stop job completes: " + stop);
        assertTrue(took.compareTo(Duration.ofSeconds(3)) >= 0, "it waited for the stop timeout: " + took);
        assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, took.toString());
        assertFalse(host.run("test", "-e", "/proc/" + daemon).succeeded(), "SIGKILL ended it");
        // the scope failed ('timeout') and --collect unloaded it: reset-failed has nothing to reset
        assertNotEquals(0, reset.exitStatus(), reset.toString());
        scope(unit, List.of(), "true").orFail();
    }

    @Test
    void withoutCollectAFailedScopeKeepsItsNameUntilResetFailed() {
        String unit = newUnit();
        List<String> noCollect = List.of("systemd-run", "--scope", "--quiet", "--unit=" + unit, "--slice=" + SLICE,
                "-p", "TimeoutStopSec=1s", "--", "sh", "-c", "setsid sh -c 'trap \"\" TERM; exec sleep 1000' &");
        host.run(noCollect.toArray(String[]::new)).orFail();
        daemonOf(unit);
        host.run("systemctl", "stop", unit).orFail();
        assertEquals("failed", host.run("systemctl", "is-active", unit).out());

        Result refused = host.run(noCollect.toArray(String[]::new));
        System.out.println("a new scope under the name of a failed one: " + refused);
        assertNotEquals(0, refused.exitStatus(), "the failed unit keeps the name");

        host.run("systemctl", "reset-failed", unit).orFail();
        scope(unit, List.of(), "true").orFail();
    }

    /** A scope as the Quobyte driver starts it (C1), with extra properties before the command. */
    private static Result scope(String unit, List<String> properties, String shellCommand) {
        List<String> argv = new ArrayList<>(List.of("systemd-run", "--scope", "--quiet", "--collect", "--unit=" + unit,
                "--slice=" + SLICE, "--description=volumedriver Quobyte client mount"));
        argv.addAll(properties);
        argv.addAll(List.of("--", "sh", "-c", shellCommand));
        return host.run(argv.toArray(String[]::new));
    }

    /** @return the pid (inside) of the one process in the scope */
    private static String daemonOf(String unit) {
        String pids = host.run("cat", "/sys/fs/cgroup/" + SLICE + "/" + unit + "/cgroup.procs").orFail().out();
        assertEquals(1, pids.lines().count(), "one process in " + unit + ": " + pids);
        return pids;
    }

    private static boolean ignoresSigterm(String pid) {
        String mask = host.run("sh", "-c", "sed -n 's/^SigIgn:\\s*//p' /proc/" + pid + "/status").orFail().out();
        return (Long.parseLong(mask, 16) & (1L << (15 - 1))) != 0;
    }

    private static String newUnit() {
        return "volumedriver-quobyte-" + UUID.randomUUID().toString().replace("-", "") + ".scope";
    }
}
