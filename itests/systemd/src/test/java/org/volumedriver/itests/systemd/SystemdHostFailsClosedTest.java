package org.volumedriver.itests.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.itests.systemd.SystemdHost.Result;

/**
 * The harness refuses bad input with one line and changes nothing, and a boot whose root is not
 * what it must be is aborted before systemd runs. None of these tests boots systemd.
 */
class SystemdHostFailsClosedTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void prerequisites() throws Exception {
        SystemdHost.requirePrerequisites("the systemd host harness's refusals");
    }

    @Test
    void badStateDirectoriesAreRefusedWithOneLine() throws Exception {
        for (String bad : List.of("relative/dir", "/proc/volumedriver", "/sys", "/tmp", "/tmp/with space", "/tmp/a;b")) {
            Result r = SystemdHost.script("start", bad);
            assertEquals(1, r.exitStatus(), r.toString());
            assertEquals(1, r.stderr().lines().count(), r.toString());
            assertTrue(r.stderr().startsWith("systemd-host: "), r.toString());
        }
        assertFalse(Files.exists(Path.of("relative")));
        Result usage = SystemdHost.script("reboot", tmp.toString());
        assertEquals("systemd-host: usage: scripts/systemd-host start|run|stop|status <statedir> (see --help)",
                usage.stderr().strip());
    }

    @Test
    void withoutRootItSaysSoAndDoesNothing() throws Exception {
        Path state = tmp.resolve("state");
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                SystemdHost.script().toString(), "start", state.toString()));
        Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        assertEquals("systemd-host: must run as root (namespaces, mounts, cgroups)\n", err);
        assertFalse(Files.exists(state));
    }

    @Test
    void statusAndStopOfAHarnessThatDoesNotRun() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("idle"));
        Result status = SystemdHost.script("status", state.toString());
        assertEquals(3, status.exitStatus(), status.toString());
        assertEquals("not running", status.out());
        SystemdHost.script("stop", state.toString()).orFail();
        SystemdHost.script("stop", state.toString()).orFail();
        Result run = SystemdHost.script("run", state.toString(), "--", "true");
        assertEquals(1, run.exitStatus());
        assertEquals("systemd-host: not running for " + state, run.stderr().strip());
    }

    @Test
    void aRootThatIsNotTheOverlayAbortsTheBootBeforeSystemdRuns() throws Exception {
        Path state = tmp.resolve("fault");
        List<String> mountsBefore = HostView.mountPoints();
        List<String> argv = List.of(SystemdHost.script().toString(), "start", state.toString());
        ProcessBuilder builder = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // the one fault the script can be told to make: it leaves the overlay out
        builder.environment().put("VOLUMEDRIVER_SYSTEMD_HOST_FAULT", "skip-overlay");
        Process p = builder.start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));

        assertEquals(1, p.exitValue(), err);
        String log = Files.readString(state.resolve("systemd-host.log"));
        assertTrue(log.contains("the new root is not an overlay; systemd not started"), log);
        assertFalse(log.contains("systemd["), "systemd never ran: " + log);
        Path cgroup = SystemdHost.cgroup2Root().resolve("volumedriver-systemd-host." + md5Prefix(state.toString()));
        assertFalse(Files.exists(cgroup), cgroup + " is removed");
        assertEquals(List.of(), HostView.processesInCgroup(cgroup.getFileName().toString()));
        assertEquals(mountsBefore, HostView.mountPoints());
        try (var left = Files.list(state)) {
            assertEquals(List.of("systemd-host.log"), left.map(f -> f.getFileName().toString()).toList(),
                    "the pid file, the console and the mount point are gone");
        }
    }

    /** The script names the harness cgroup by the first 12 hex digits of the state directory's MD5. */
    private static String md5Prefix(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
