package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.testsupport.ProcStat;
import org.volumedriver.testsupport.ShippedExecutor;

/**
 * A host with real mounts: a copy of the FUSE stand-in as {@code mount.quobyte} behind the shipped
 * executor allowlist, the real mount table and statx probe, and engines on a mount base in the
 * test's directory. After each test every stopped stand-in is continued and everything mounted
 * below that directory is detached. The subclass checks its prerequisites in {@code @BeforeAll}.
 */
abstract class RealHostFixture {

    static final String EXPORT = "192.168.1.1/volume-00001";
    static final SystemdDecision NO_SYSTEMD = new SystemdDecision(false, "off", "test");

    @TempDir
    Path tmp;
    Path base;
    Path dir;
    Path standin;
    Path store;
    ProcessCommandExecutor executor;
    StatxProbe probe;
    final List<QuobyteEngine> engines = new ArrayList<>();

    /** @return the mount table the engines read */
    MountTable mountTable() {
        return new MountTable.Proc();
    }

    /** @return the probe the engines use */
    StatxProbe newProbe() {
        return new StatxProbe(8);
    }

    @BeforeEach
    void setUpHost() throws Exception {
        base = tmp.resolve("mnt");
        dir = base.resolve(MountLayout.hash(EXPORT));
        StandinCopy copy = StandinCopy.in(tmp.resolve("bin"));
        standin = copy.executable();
        store = copy.store(EXPORT);
        executor = new ProcessCommandExecutor(ExecutorSettings.fromProperties(ShippedExecutor.properties(standin)));
        probe = newProbe();
    }

    @AfterEach
    void tearDownHost() throws Exception {
        for (QuobyteEngine e : engines) {
            e.close();
        }
        // wake any stopped stand-in, then detach everything under the test directory
        try (var pids = Files.walk(tmp.resolve("bin").resolve("store"), 1)) {
            for (Path p : pids.filter(f -> f.toString().endsWith(".pid")).toList()) {
                signal("-CONT", Files.readString(p).strip());
            }
        }
        StandinCopy.detachAllBelow(tmp);
        probe.close();
        executor.close();
    }

    QuobyteEngine engine(Settings.Builder b) throws VolumeDriverException {
        QuobyteEngine e = new QuobyteEngine(b.mountBase(base.toString()).watchdogEnabled(false).probeTimeoutMs(1000).build(),
                executor, mountTable(), probe, NO_SYSTEMD, MountLayout.currentUid());
        e.start();
        engines.add(e);
        return e;
    }

    QuobyteEngine engine() throws VolumeDriverException {
        return engine(Settings.builder());
    }

    /** The daemon writes its pid when the kernel's first request arrives: wait for it. */
    String daemonPid() throws Exception {
        return StandinCopy.daemonPid(store, dir);
    }

    boolean mounted() throws Exception {
        return MountTable.visibleAt(new MountTable.Proc().read(), dir.toString()).isPresent();
    }

    static void signal(String sig, String pid) throws Exception {
        new ProcessBuilder("/bin/kill", sig, pid).redirectErrorStream(true).start().waitFor(5, TimeUnit.SECONDS);
    }

    /**
     * SIGSTOP, then waits until every thread of the client is stopped: kill(2) returns before the
     * group stop completes, and a thread still running could answer one more request.
     */
    static void stop(String pid) throws Exception {
        signal("-STOP", pid);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!allThreadsStopped(pid)) {
            assertTrue(System.nanoTime() < end, "the client " + pid + " did not stop");
            Thread.sleep(5);
        }
    }

    static boolean allThreadsStopped(String pid) throws IOException {
        return ProcStat.taskStates(Long.parseLong(pid)).stream().allMatch(state -> state == 'T');
    }
}
