package org.volumedriver.itests.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.itests.systemd.HostView.Fingerprint;

/**
 * One boot and one shutdown of the harness, and what they must not do to the host: systemd runs
 * its boot units against the file system it sees (tmpfiles empties /tmp, sysusers and
 * machine-id-commit write /etc, journald writes /var/log), so it must see an overlay whose writes
 * never reach the host, and it must start nothing but PID 1's own units. The last test stops the
 * harness and checks that nothing is left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdHostIsolationTest {

    static final FileTime PAST = FileTime.from(Instant.parse("2021-03-04T05:06:07Z"));
    static final String SCOPE = "volumedriver-quobyte-" + UUID.randomUUID().toString().replace("-", "") + ".scope";
    static final String SLICE = "volumedriver.slice";
    /** Boot units that write the host's files when systemd runs on the host's root. */
    static final List<String> HOST_WRITING_UNITS = List.of("systemd-tmpfiles-setup.service",
            "systemd-tmpfiles-setup-dev.service", "systemd-sysusers.service", "systemd-journald.service",
            "systemd-journal-flush.service", "systemd-machine-id-commit.service", "systemd-timesyncd.service",
            "systemd-modules-load.service", "systemd-sysctl.service");

    @TempDir
    static Path stateDir;
    static final List<Path> markers = new ArrayList<>();
    static final List<Fingerprint> fingerprints = new ArrayList<>();
    static List<String> mountsBefore;
    static String hostnameBefore;
    static SystemdHost host;

    @BeforeAll
    static void boot() throws Exception {
        SystemdHost.requirePrerequisites("the systemd host harness");
        String id = UUID.randomUUID().toString();
        // /tmp is what systemd-tmpfiles --boot empties; /var/tmp stands for the host's persistent files
        for (Path dir : List.of(Path.of("/tmp"), Path.of("/var/tmp"))) {
            Path marker = dir.resolve("volumedriver-systemd-host-marker-" + id);
            Files.writeString(marker, "written by the host before the boot " + id + "\n");
            Files.setLastModifiedTime(marker, PAST);
            markers.add(marker);
            fingerprints.add(Fingerprint.of(marker));
        }
        mountsBefore = HostView.mountPoints();
        hostnameBefore = Files.readString(Path.of("/proc/sys/kernel/hostname"));
        host = SystemdHost.start(stateDir);
        System.out.printf("systemd host booted in %d ms (host pid %d, cgroup %s)%n", host.bootTime().toMillis(), host.pid(),
                host.cgroup());
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try {
            if (host != null) {
                host.close();
            }
        } finally {
            for (Path marker : markers) {
                Files.deleteIfExists(marker);
            }
        }
    }

    @Test
    @Order(1)
    void systemdIsPid1AndRunning() {
        assertEquals("running", host.run("systemctl", "is-system-running").out());
        assertEquals("systemd", host.run("cat", "/proc/1/comm").orFail().out());
        assertEquals("0::/init.scope", host.run("grep", "^0::", "/proc/1/cgroup").orFail().out(),
                "the cgroup namespace is rooted at the harness cgroup");
        assertTrue(Files.isDirectory(host.cgroup().resolve("init.scope")), host.cgroup() + "/init.scope on the host");
    }

    @Test
    @Order(2)
    void systemdSeesAnOverlayWhoseWritesNeverReachTheHost() throws Exception {
        Path tmpMarker = markers.get(0);
        Path persistentMarker = markers.get(1);
        assertEquals("overlay", host.run("findmnt", "-n", "-o", "FSTYPE", "-M", "/").orFail().out());
        for (String dir : List.of("/tmp", "/run", "/dev", "/dev/shm")) {
            assertEquals("tmpfs", host.run("findmnt", "-n", "-o", "FSTYPE", "-M", dir).orFail().out(), dir);
        }
        assertEquals("ro", host.run("findmnt", "-n", "-o", "OPTIONS", "-M", "/sys").orFail().out().split(",")[0]);
        assertEquals("ro", host.run("findmnt", "-n", "-o", "OPTIONS", "-M", "/proc/sys").orFail().out().split(",")[0]);
        assertFalse(host.run("test", "-e", tmpMarker.toString()).succeeded(), "the host's /tmp is not visible inside");
        assertEquals(Files.readString(persistentMarker), host.run("cat", persistentMarker.toString()).orFail().stdout(),
                "the host's other files are visible through the overlay");

        // writes inside land in the overlay: the host's files stay as they are
        host.run("sh", "-c", "echo changed inside >> " + persistentMarker + " && touch /etc/volumedriver-systemd-host-probe"
                + " && hostname volumedriver-probe").orFail();
        assertTrue(host.run("grep", "-q", "changed inside", persistentMarker.toString()).succeeded());
        assertEquals(fingerprints.get(1), Fingerprint.of(persistentMarker));
        assertFalse(Files.exists(Path.of("/etc/volumedriver-systemd-host-probe")));
        assertEquals(hostnameBefore, Files.readString(Path.of("/proc/sys/kernel/hostname")), "the UTS namespace is its own");

        // the state directory is the one shared path, read-write, at the same path
        host.run("sh", "-c", "echo from inside > " + stateDir.resolve("shared")).orFail();
        assertEquals("from inside\n", Files.readString(stateDir.resolve("shared")));
    }

    @Test
    @Order(3)
    void theNetworkIsLoopbackOnlyAndUp() {
        List<String> links = host.run("ip", "-o", "link", "show").orFail().out().lines().toList();
        assertEquals(1, links.size(), "only lo: " + links);
        assertTrue(links.get(0).contains(": lo: <LOOPBACK,UP,LOWER_UP>"), links.get(0));
        assertTrue(host.run("ip", "-o", "-4", "addr", "show", "lo").orFail().out().contains("127.0.0.1/8"));
    }

    @Test
    @Order(4)
    void aScopeOfTheProductsFormLandsInTheVolumedriverSlice() throws Exception {
        // the argv of the Quobyte driver's mounts (C1), with a daemon left behind as mount.quobyte leaves one
        host.run("systemd-run", "--scope", "--quiet", "--collect", "--unit=" + SCOPE, "--slice=" + SLICE,
                "--description=volumedriver Quobyte client mount", "--", "sh", "-c", "setsid sleep 1000 &").orFail();

        String group = "/" + SLICE + "/" + SCOPE;
        assertEquals(group, host.run("systemctl", "show", "-p", "ControlGroup", "--value", SCOPE).orFail().out());
        String daemon = host.run("cat", "/sys/fs/cgroup" + group + "/cgroup.procs").orFail().out();
        assertEquals("sleep", host.run("cat", "/proc/" + daemon + "/comm").orFail().out());
        assertEquals("0::" + group, host.run("grep", "^0::", "/proc/" + daemon + "/cgroup").orFail().out());
        assertTrue(Files.isDirectory(host.cgroup().resolve(SLICE).resolve(SCOPE)), "the host sees it below the harness cgroup");
        // left running: the shutdown must end it
    }

    @Test
    @Order(5)
    void noBootUnitRanNotEvenWhenAServicePullsInSysinitTarget() {
        assertNoHostWritingUnitStarted();
        List<String> active = host.run("systemctl", "list-units", "--all", "--state=active", "--plain", "--no-legend")
                .orFail().out().lines().map(l -> l.split(" ")[0]).toList();
        System.out.println("active units after the boot: " + active);
        assertTrue(active.contains("volumedriver-harness.target"), active.toString());
        assertFalse(active.contains("sysinit.target"), "the boot pulled in nothing: " + active);
        assertTrue(active.stream().noneMatch(u -> u.endsWith(".service")), "no service runs after the boot: " + active);

        // a service with default dependencies pulls sysinit.target in; what it wants is masked
        host.run("systemd-run", "--unit=volumedriver-harness-probe.service", "--service-type=oneshot", "--quiet", "true")
                .orFail();
        assertEquals("active", host.run("systemctl", "is-active", "sysinit.target").out());
        assertNoHostWritingUnitStarted();
    }

    private static void assertNoHostWritingUnitStarted() {
        for (String unit : HOST_WRITING_UNITS) {
            // zero: the unit never left the inactive state since the boot
            assertEquals("0", host.run("systemctl", "show", "-p", "InactiveExitTimestampMonotonic", "--value", unit).orFail().out(),
                    unit + " started");
        }
    }

    @Test
    @Order(6)
    void theShutdownLeavesNothingBehindAndTheHostFilesAreUntouched() throws Exception {
        String cgroupName = host.cgroup().getFileName().toString();
        assertFalse(HostView.processesInCgroup(cgroupName).isEmpty(), "a check that can fail: the harness has processes");

        Duration stop = host.stop();
        System.out.printf("systemd host stopped in %d ms%n", stop.toMillis());

        assertEquals(List.of(), HostView.processesInCgroup(cgroupName), "processes in the harness cgroup");
        assertEquals(List.of(), HostView.processesInPidNamespace(host.pidNamespace()), "processes in its PID namespace");
        assertFalse(Files.exists(host.cgroup()), host.cgroup() + " is removed");
        assertEquals(mountsBefore, HostView.mountPoints(), "the mounts of this namespace");
        for (Fingerprint before : fingerprints) {
            assertEquals(before, Fingerprint.of(before.path()), "byte-identical, same mtime");
        }
        assertFalse(Files.exists(Path.of("/etc/volumedriver-systemd-host-probe")));
        assertEquals(hostnameBefore, Files.readString(Path.of("/proc/sys/kernel/hostname")));
        assertEquals(List.of("shared", "systemd-host.log"), listing(stateDir), "only the log and what was written inside");
        String log = Files.readString(stateDir.resolve("systemd-host.log"));
        assertTrue(log.contains("Reached target volumedriver-harness.target"), log);
        assertTrue(log.contains("Stopped " + SCOPE), "the shutdown stopped the scope left running: " + log);
        assertNotEquals(-1, log.indexOf("systemd-shutdown[1]: Halting system."), log);
    }

    private static List<String> listing(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
