package org.volumedriver.itests.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The distribution as {@code volumedriver.service} (the shipped unit, unchanged) on a real systemd:
 * mounts run in scopes of their own, survive restarts and stops of the service, and a hung or
 * killed client is healed into a fresh scope. The Quobyte client is the FUSE stand-in; libvirt is
 * the sandbox's test driver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolumedriverServiceTest {

    static final String INSTANCE = "demo-instance";
    static final String VOLUME = "volume-5a1dbe77-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    static final String CONNECTION_INFO = "{\"driver_volume_type\":\"quobyte\",\"data\":{\"export\":"
            + "\"quobyte://sandbox-registry:7861/demo\",\"name\":\"" + VOLUME + "\"}}";
    static final String SERVICE = "volumedriver.service";
    static final Pattern SCOPE_CGROUP = Pattern.compile("0::/volumedriver\\.slice/(volumedriver-quobyte-[0-9a-f]{32}\\.scope)");

    SystemdHost host;
    Path state;
    Path sandbox;
    Path karaf;
    Path mountDirectory;

    @BeforeAll
    void bootTheServiceOnARealSystemd() throws Exception {
        SystemdHost.requirePrerequisites("the distribution as a systemd service");
        state = Path.of("target/systemd-service").toAbsolutePath();
        sandbox = state.resolve("sandbox");
        karaf = sandbox.resolve("karaf");
        prepareTheSandbox();
        // the production decision: scopes exactly when systemd runs
        Path quobyteCfg = karaf.resolve("etc/org.volumedriver.quobyte.cfg");
        Files.writeString(quobyteCfg, Files.readString(quobyteCfg).replace("systemd.mode = off", "systemd.mode = auto"));
        try (var reader = getClass().getResourceAsStream("/guest-reader.py")) {
            Files.copy(reader, state.resolve("guest-reader.py"), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.deleteIfExists(state.resolve("client.fifo"));
        new ProcessBuilder("mkfifo", "-m", "0600", state.resolve("client.fifo").toString()).inheritIO().start().waitFor();
        host = SystemdHost.start(state);
        root("ln -sfn " + karaf + " /opt/volumedriver"
                + " && install -m 0644 /opt/volumedriver/systemd/volumedriver.service /etc/systemd/system/"
                + " && systemctl daemon-reload && systemctl start " + SERVICE);
        awaitDrivers();
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    @Order(1)
    void autoDecidesScopesUnderARealSystemd() throws Exception {
        String systemd = shell("quobyte:systemd");
        assertTrue(systemd.contains("Systemd scope : used"), systemd);
        assertTrue(systemd.contains("Reason        : /run/systemd/system exists and the system state is running"), systemd);
    }

    @Test
    @Order(2)
    void aConnectMountsTheClientInAScopeOfItsOwn() throws Exception {
        String connected = shell("volume:connect " + INSTANCE + " '" + CONNECTION_INFO + "'");
        assertTrue(connected.contains("Connected " + VOLUME + "@" + INSTANCE), connected);
        mountDirectory = Path.of(field(shell("volume:mounts"), sandbox.resolve("mnt") + "/[0-9a-f]{32}"));
        int client = client();
        assertEquals("volumedriver-quobyte-" + mountDirectory.getFileName() + ".scope", scopeOf(client));
        assertEquals("active", root("systemctl is-active volumedriver-quobyte-" + mountDirectory.getFileName() + ".scope").strip());
    }

    @Test
    @Order(3)
    void aRestartOfTheServiceKeepsTheMountAndTheGuestNeverSeesAnError() throws Exception {
        int client = client();
        startGuestReader();
        root("systemctl restart " + SERVICE);
        awaitDrivers();
        String mounts = shell("volume:mounts");
        assertTrue(mounts.contains("HEALTHY") && mounts.contains(mountDirectory.toString()), mounts);
        assertTrue(shell("volume:attachments").contains(INSTANCE), "the attachment is recovered from the journal");
        assertEquals(client, client(), "the same client daemon serves the mount");
        int[] seen = stopGuestReader();
        assertTrue(seen[0] > 50, "the guest read on through the restart: " + seen[0] + " reads");
        assertEquals(0, seen[1], "the guest saw no error");
    }

    @Test
    @Order(4)
    void aHungClientIsHealedIntoAFreshScope() throws Exception {
        int hung = client();
        root("kill -STOP " + hung);
        String healed = shell("quobyte:heal --force " + mountDirectory);
        assertTrue(healed.contains("HEALTHY"), healed);
        int fresh = client();
        assertNotEquals(hung, fresh);
        assertFalse(alive(hung), "ending the old scope ended the hung client");
        assertEquals("volumedriver-quobyte-" + mountDirectory.getFileName() + ".scope", scopeOf(fresh));
    }

    @Test
    @Order(5)
    void aKilledClientIsHealedIntoAScope() throws Exception {
        int killed = client();
        root("kill -KILL " + killed);
        String healed = shell("quobyte:heal --force " + mountDirectory);
        assertTrue(healed.contains("HEALTHY"), healed);
        int fresh = client();
        assertNotEquals(killed, fresh);
        assertEquals("volumedriver-quobyte-" + mountDirectory.getFileName() + ".scope", scopeOf(fresh));
    }

    @Test
    @Order(6)
    void stoppingTheServiceLeavesTheMountsAndTheirScopesAlone() throws Exception {
        int client = client();
        startGuestReader();
        root("systemctl stop " + SERVICE);
        assertEquals("inactive", root("systemctl is-active " + SERVICE + " || true").strip());
        assertTrue(alive(client));
        assertEquals("volumedriver-quobyte-" + mountDirectory.getFileName() + ".scope", scopeOf(client));
        assertTrue(root("grep -c ' " + mountDirectory + " ' /proc/self/mountinfo || true").strip().equals("1"));
        Thread.sleep(1000);
        int[] seen = stopGuestReader();
        assertEquals(0, seen[1], "the guest saw no error while the service was down");
        root("systemctl start " + SERVICE);
        awaitDrivers();
        assertTrue(shell("volume:mounts").contains("HEALTHY"));
    }

    @Test
    @Order(7)
    void withoutScopesARestartKillsTheClient() throws Exception {
        shell("volume:disconnect " + INSTANCE + " '" + CONNECTION_INFO + "'");
        shell("config:edit org.volumedriver.quobyte; config:property-set systemd.mode off; config:update");
        awaitSystemd("Systemd scope : not used");
        shell("volume:connect " + INSTANCE + " '" + CONNECTION_INFO + "'");
        int client = client();
        assertEquals("0::/system.slice/" + SERVICE, root("grep ^0:: /proc/" + client + "/cgroup").strip(),
                "without a scope the client is a child in the service's cgroup");
        startGuestReader();
        root("systemctl restart " + SERVICE);
        assertFalse(alive(client), "the restart killed the client with the service's cgroup (Nova bug 1530866)");
        Thread.sleep(500);
        int[] seen = stopGuestReader();
        assertTrue(seen[1] > 0, "the guest saw its disk fail: " + seen[0] + " reads, " + seen[1] + " errors");
        assertEquals("0", root("pgrep -c -x quobyte-standin || true").strip(), "nothing serves the mount any more");
    }

    // --- helpers ---

    /** {@code scripts/start --prepare}: the sandbox exactly as {@code scripts/start} makes it, from this build's tarball. */
    private void prepareTheSandbox() throws Exception {
        Path repo = SystemdHost.script().getParent().getParent();
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("scripts/start").toString(), "--prepare").directory(repo.toFile())
                .redirectErrorStream(true).redirectOutput(state.resolve("prepare.log").toFile());
        Files.createDirectories(state);
        pb.environment().put("VOLUMEDRIVER_SANDBOX_DIR", sandbox.toString());
        pb.environment().put("VOLUMEDRIVER_DISTRIBUTION", distribution(repo).toString());
        Process p = pb.start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "scripts/start --prepare did not finish");
        assertEquals(0, p.exitValue(), Files.readString(state.resolve("prepare.log")));
    }

    private static Path distribution(Path repo) throws IOException {
        Path target = repo.resolve("features/distribution/target");
        try (var files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("volumedriver-distribution-.*\\.tar\\.gz"))
                    .findFirst().orElseThrow(() -> new AssertionError("no distribution in " + target));
        }
    }

    /** Runs a shell line as root inside the systemd host; fails on a non-zero exit. */
    private String root(String line) throws Exception {
        return host.run(Duration.ofSeconds(150), "sh", "-c", line).orFail().stdout();
    }

    /** Runs a Karaf shell command through the distribution's own client, inside the systemd host. */
    private String shell(String command) throws Exception {
        return client(3, command).orFail().stdout();
    }

    /**
     * bin/client ends the session as soon as its stdin reaches end of file, before the output
     * arrives: its stdin is a FIFO it holds open itself, which never does.
     */
    private SystemdHost.Result client(int retries, String command) {
        return host.run(Duration.ofSeconds(120), "bash", "-c", "exec 3<>\"$1\"; shift; exec \"$@\" <&3", "client",
                state.resolve("client.fifo").toString(), karaf.resolve("bin/client").toString(),
                "-u", "karaf", "-p", "karaf", "-h", "127.0.0.1", "-a", "8101", "-r", Integer.toString(retries), command);
    }

    private void awaitDrivers() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            SystemdHost.Result r = client(1, "volume:drivers");
            if (r.succeeded() && r.stdout().contains("quobyte")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the volume drivers are not up within 120 s: " + root("systemctl status " + SERVICE + " --no-pager || true"));
    }

    private void awaitSystemd(String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = shell("quobyte:systemd");
            if (last.contains(expected)) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("quobyte:systemd never said '" + expected + "': " + last);
    }

    /** @return the pid of the one client daemon serving the mount */
    private int client() throws Exception {
        String pids = root("pgrep -x quobyte-standin || true").strip();
        List<String> all = pids.lines().toList();
        assertEquals(1, all.size(), "one client daemon: " + pids);
        return Integer.parseInt(all.get(0));
    }

    private String scopeOf(int pid) throws Exception {
        String cgroup = root("grep ^0:: /proc/" + pid + "/cgroup").strip();
        Matcher m = SCOPE_CGROUP.matcher(cgroup);
        assertTrue(m.matches(), "pid " + pid + " runs in " + cgroup);
        return m.group(1);
    }

    private boolean alive(int pid) throws Exception {
        return !root("cat /proc/" + pid + "/stat 2>/dev/null | cut -d' ' -f3 || true").strip().matches("|Z");
    }

    private void startGuestReader() throws Exception {
        Files.deleteIfExists(state.resolve("reader.stop"));
        Files.deleteIfExists(state.resolve("reader.status"));
        root("systemd-run --unit=volumedriver-test-guest --collect --quiet python3 " + state.resolve("guest-reader.py") + " "
                + mountDirectory.resolve(VOLUME) + " " + state.resolve("reader.status") + " " + state.resolve("reader.stop"));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (status()[0] < 5) {
            assertTrue(System.nanoTime() < deadline, "the guest reader does not read");
            Thread.sleep(50);
        }
    }

    /** @return reads and errors the guest reader saw */
    private int[] stopGuestReader() throws Exception {
        Files.writeString(state.resolve("reader.stop"), "");
        root("while systemctl -q is-active volumedriver-test-guest; do sleep 0.1; done");
        return status();
    }

    private int[] status() throws IOException {
        Path status = state.resolve("reader.status");
        if (!Files.exists(status)) {
            return new int[] { 0, 0 };
        }
        String[] parts = Files.readString(status).strip().split(" ");
        return new int[] { Integer.parseInt(parts[0]), Integer.parseInt(parts[1]) };
    }

    private static String field(String table, String regex) {
        Matcher m = Pattern.compile(regex).matcher(table);
        assertTrue(m.find(), "no " + regex + " in " + table);
        return m.group();
    }
}
