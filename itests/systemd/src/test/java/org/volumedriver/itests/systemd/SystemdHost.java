package org.volumedriver.itests.systemd;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.volumedriver.testsupport.RealTests;

/**
 * A real systemd as PID 1 of its own namespaces, booted by {@code scripts/systemd-host} on an
 * overlay of the host's root, for tests that need a systemd host (scopes, slices, systemctl).
 * Boot it once per test class: {@link #start(Path)} returns when systemd answers running;
 * {@link #run(String...)} runs a command inside it; {@link #stop()} (or {@link #close()}) shuts it
 * down and fails if anything is left. Needs root; the repository root comes from the system
 * property {@value #REPO_PROPERTY}.
 */
public final class SystemdHost implements AutoCloseable {

    /** The system property naming the repository root, set by this module's surefire configuration. */
    public static final String REPO_PROPERTY = "volumedriver.repo";
    /** The harness script, relative to the repository root. */
    public static final String SCRIPT = "scripts/systemd-host";
    /** How long {@link #run(String...)} waits by default. */
    public static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path stateDir;
    private final long pid;
    private final String pidNamespace;
    private final Path cgroup;
    private final Duration bootTime;
    /** Stops the harness if the JVM ends without {@link #stop()}: it runs in a session of its own. */
    private final Thread stopOnExit;
    private volatile boolean running = true;

    private SystemdHost(Path stateDir, long pid, String pidNamespace, Path cgroup, Duration bootTime) {
        this.stopOnExit = new Thread(() -> {
            try {
                script("stop", stateDir.toString());
            } catch (IOException e) {
                System.err.println("the systemd host at " + stateDir + " could not be stopped: " + e);
            }
        }, "systemd-host-stop");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        this.stateDir = stateDir;
        this.pid = pid;
        this.pidNamespace = pidNamespace;
        this.cgroup = cgroup;
        this.bootTime = bootTime;
    }

    /** What a command printed and how it ended. */
    public record Result(List<String> argv, int exitStatus, String stdout, String stderr, boolean timedOut) {

        /** @return whether it exited with status 0 */
        public boolean succeeded() {
            return !timedOut && exitStatus == 0;
        }

        /** @return stdout without the trailing line break */
        public String out() {
            return stdout.strip();
        }

        /**
         * @return this result
         * @throws AssertionError naming the command, its status and its output, unless it succeeded
         */
        public Result orFail() {
            if (!succeeded()) {
                throw new AssertionError(this.toString());
            }
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", argv) + " -> " + (timedOut ? "timed out" : "exit " + exitStatus)
                    + "\n  stdout: " + stdout.strip() + "\n  stderr: " + stderr.strip();
        }
    }

    /**
     * Skips a test that boots the harness unless the real tests are required, and then fails it if
     * something the harness needs is missing.
     *
     * @param subject what the test is, for the messages
     */
    public static void requirePrerequisites(String subject) throws IOException {
        RealTests.onlyWhenRequired(subject)
                .need(RealTests.isRoot(), "root")
                .need(Files.isExecutable(Path.of("/lib/systemd/systemd")), "systemd (/lib/systemd/systemd)")
                .need(Files.isExecutable(Path.of("/usr/bin/nsenter")) && Files.isExecutable(Path.of("/usr/bin/unshare")),
                        "util-linux (unshare, nsenter)")
                .need(Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n"), "overlayfs")
                .need(cgroup2Mount().isPresent(), "a cgroup2 hierarchy")
                .need(Files.isExecutable(script()), SCRIPT)
                .check();
    }

    /** @return the harness script of this repository */
    public static Path script() {
        String repo = System.getProperty(REPO_PROPERTY);
        if (repo == null) {
            throw new IllegalStateException("the system property " + REPO_PROPERTY + " (the repository root) is not set");
        }
        return Path.of(repo).resolve(SCRIPT).toAbsolutePath().normalize();
    }

    /**
     * Boots systemd; returns once {@code systemctl is-system-running} answers running or degraded.
     *
     * @param stateDir the state directory: created if missing, shared read-write at the same path
     * @return the running host
     * @throws IOException if the script cannot be run
     * @throws AssertionError if the boot fails (the script has cleaned up)
     */
    public static SystemdHost start(Path stateDir) throws IOException {
        long started = System.nanoTime();
        Result result = script("start", stateDir.toString()).orFail();
        Duration bootTime = Duration.ofNanos(System.nanoTime() - started);
        long pid = Long.parseLong(result.out());
        String pidNamespace = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "pid")).toString();
        return new SystemdHost(stateDir, pid, pidNamespace, harnessCgroup(pid), bootTime);
    }

    /**
     * Runs a command in every namespace of the host and in its root, with {@link #RUN_TIMEOUT}.
     *
     * @param argv the command
     * @return how it ended
     */
    public Result run(String... argv) {
        return run(RUN_TIMEOUT, argv);
    }

    /**
     * @param timeout how long to wait; a command still running then is killed (its children inside
     *        live until {@link #stop()})
     * @param argv the command
     * @return how it ended
     */
    public Result run(Duration timeout, String... argv) {
        if (!running) {
            throw new IllegalStateException("the systemd host is stopped");
        }
        List<String> args = new ArrayList<>(List.of("run", stateDir.toString(), "--"));
        args.addAll(List.of(argv));
        try {
            Result r = execute(timeout, args);
            return new Result(List.of(argv), r.exitStatus(), r.stdout(), r.stderr(), r.timedOut());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Shuts systemd down; idempotent.
     *
     * @return how long the shutdown took
     * @throws AssertionError if the script reports something left behind
     */
    public Duration stop() throws IOException {
        long started = System.nanoTime();
        script("stop", stateDir.toString()).orFail();
        running = false;
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down
        }
        return took;
    }

    @Override
    public void close() throws IOException {
        if (running) {
            stop();
        }
    }

    /** @return the host pid of systemd, PID 1 inside */
    public long pid() {
        return pid;
    }

    /** @return the PID namespace, as {@code /proc/<pid>/ns/pid} names it */
    public String pidNamespace() {
        return pidNamespace;
    }

    /** @return the host's directory of the cgroup the harness runs in (systemd's root cgroup) */
    public Path cgroup() {
        return cgroup;
    }

    /** @return the wall time of {@link #start(Path)} */
    public Duration bootTime() {
        return bootTime;
    }

    /** @return the state directory */
    public Path stateDir() {
        return stateDir;
    }

    /** @return the log of the harness and of systemd */
    public Path log() {
        return stateDir.resolve("systemd-host.log");
    }

    /**
     * Runs the script directly, for the tests of its own errors.
     *
     * @param args its arguments
     * @return how it ended
     */
    public static Result script(String... args) throws IOException {
        return execute(START_TIMEOUT.plus(STOP_TIMEOUT), List.of(args));
    }

    /**
     * Output goes to files, not pipes: a daemon the command leaves behind (a scope's process)
     * inherits them, and a pipe would never reach end of file.
     */
    private static Result execute(Duration timeout, List<String> args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(script().toString());
        argv.addAll(args);
        Path out = Files.createTempFile("systemd-host-out", ".txt");
        Path err = Files.createTempFile("systemd-host-err", ".txt");
        try {
            Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor();
            }
            return new Result(argv, ended ? process.exitValue() : -1, Files.readString(out), Files.readString(err), !ended);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + argv, e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * The harness cgroup on the host: the first component of systemd's cgroup2 path (systemd
     * itself sits in {@code init.scope} below it).
     */
    private static Path harnessCgroup(long pid) throws IOException {
        String path = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")).stream()
                .filter(l -> l.startsWith("0::/"))
                .map(l -> l.substring(4))
                .findFirst()
                .orElseThrow(() -> new IOException("systemd (pid " + pid + ") has no cgroup2 path"));
        return cgroup2Root().resolve(path.split("/")[0]);
    }

    /** @return where the host mounts its cgroup2 hierarchy */
    public static Path cgroup2Root() throws IOException {
        return cgroup2Mount().orElseThrow(() -> new IOException("no cgroup2 hierarchy is mounted"));
    }

    /** @return where the host mounts its cgroup2 hierarchy, if it does */
    public static Optional<Path> cgroup2Mount() throws IOException {
        for (Path candidate : List.of(Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup"))) {
            if (Files.exists(candidate.resolve("cgroup.procs")) && Files.exists(candidate.resolve("cgroup.subtree_control"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
