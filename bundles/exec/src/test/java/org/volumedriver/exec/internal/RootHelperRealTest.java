package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.testsupport.ProcStat;
import org.volumedriver.testsupport.RealTests;

/**
 * The root-helper mode for real: a JVM running as user {@code nobody} runs a privileged command
 * through {@code sudo -n} (sudoers rules bind-mounted over {@code /etc/sudoers.d} inside the test's
 * private mount namespace). Without timeout(1) inside the helper the JVM's kill cannot reach the
 * hanging root process; with it, the command and its grandchild are gone at the timeout.
 */
class RootHelperRealTest {

    static final Path SUDO = Path.of("/usr/bin/sudo");
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    static final String NOBODY = "65534";

    @TempDir
    Path tmp;
    Path work;
    Path hang;
    Path grandchildPid;
    Path childPid;
    boolean sudoersMounted;

    @BeforeAll
    static void prerequisites() throws IOException {
        // it bind-mounts sudoers rules: only on request, inside the private mount namespace the request implies
        RealTests.onlyWhenRequired("the root-helper test")
                .need(ExecutableCheck.effectiveUid() == 0, "root")
                .need(Files.isExecutable(SUDO) && Files.isExecutable(SETPRIV), "sudo and setpriv (Debian packages sudo, util-linux)")
                // scripts/test sets it in the private mount namespace it creates
                .need(System.getenv("VOLUMEDRIVER_TEST_NAMESPACE") != null,
                        "the private mount namespace of scripts/test (VOLUMEDRIVER_TEST_NAMESPACE)")
                .check();
    }

    @BeforeEach
    void setUp() throws Exception {
        // nobody must reach the scripts and the classes; root writes the pid files
        work = Files.createDirectory(tmp.resolve("work"));
        for (Path p : List.of(tmp, work)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        childPid = work.resolve("child.pid");
        grandchildPid = work.resolve("grandchild.pid");
        hang = work.resolve("hang");
        Files.writeString(hang, "#!/bin/sh\necho $$ > '" + childPid + "'\nsleep 300 &\necho $! > '" + grandchildPid
                + "'\nwait\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(hang, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path rules = Files.createDirectory(tmp.resolve("sudoers.d"));
        Files.setPosixFilePermissions(rules, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rule = rules.resolve("volumedriver-test");
        Files.writeString(rule, "nobody ALL=(root) NOPASSWD: " + hang + ", /usr/bin/timeout --kill-after=2s * " + hang + "\n",
                StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(rule, PosixFilePermissions.fromString("r--r-----"));
        run(List.of("/usr/bin/mount", "--bind", rules.toString(), "/etc/sudoers.d"));
        sudoersMounted = true;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Path pid : List.of(grandchildPid, childPid)) {
            if (Files.exists(pid)) {
                ProcessHandle.of(TestPrograms.readPid(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        if (sudoersMounted) {
            run(List.of("/usr/bin/umount", "/etc/sudoers.d"));
        }
    }

    @Test
    void withoutTimeoutInsideTheHelperTheUnprivilegedJvmCannotKillTheHangingRootProcess() throws Exception {
        String out = probe("-");
        assertTrue(out.contains("uid=65534 "), out);
        assertTrue(out.contains("timedOut=true"), out);
        assertTrue(ProcStat.alive(TestPrograms.readPid(childPid)), "the root child survived the JVM's SIGKILL: " + out);
        assertTrue(ProcStat.alive(TestPrograms.readPid(grandchildPid)), "and so did its grandchild");
    }

    @Test
    void timeoutInsideTheHelperEndsTheHangingRootProcessAndItsGrandchild() throws Exception {
        String out = probe("/usr/bin/timeout");
        assertTrue(out.contains("uid=65534 "), out);
        assertTrue(out.contains("status=124 timedOut=true"), out);
        assertTrue(out.contains("argv=[/usr/bin/sudo, -n, /usr/bin/timeout, --kill-after=2s, 0.700s, " + hang + "]"), out);
        long grandchild = TestPrograms.readPid(grandchildPid);
        for (int i = 0; i < 100 && ProcStat.alive(grandchild); i++) {
            Thread.sleep(50);
        }
        assertFalse(ProcStat.alive(TestPrograms.readPid(childPid)), "the root child is gone: " + out);
        assertFalse(ProcStat.alive(grandchild), "and its grandchild");
    }

    /** Runs {@link RootHelperProbe} in a JVM as nobody and returns what it printed. */
    private String probe(String helperTimeout) throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("cp"));
        String classPath = copyClassPath(classes);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> argv = List.of(SETPRIV.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                java.toString(), "-XX:-UsePerfData", "-Xshare:off", "-cp", classPath, RootHelperProbe.class.getName(),
                hang.toString(), helperTimeout, "700");
        Process p = new ProcessBuilder(argv).directory(new File("/")).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the probe JVM did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The test class path, copied where nobody can read it (the Maven repository under /root cannot be). */
    private static String copyClassPath(Path into) throws IOException {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> copied = new ArrayList<>();
        int n = 0;
        for (String entry : path.split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = into.resolve((n++) + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (Stream<Path> walk = Files.walk(source)) {
                    for (Path s : walk.toList()) {
                        Path t = target.resolve(source.relativize(s).toString());
                        if (Files.isDirectory(s)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(s, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
            copied.add(target.toString());
        }
        try (Stream<Path> walk = Files.walk(into)) {
            for (Path p : walk.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        Files.setPosixFilePermissions(into.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        return String.join(File.pathSeparator, copied);
    }

    private static void run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(argv + " failed: " + out);
        }
    }
}
