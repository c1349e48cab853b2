package org.volumedriver.exec.internal;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.CommandRejectedException;
import org.volumedriver.spi.ExecutorSaturatedException;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.Redactor;

/**
 * The executor: checks a request against the allowlist, then runs the configured absolute
 * executable with {@link ProcessBuilder} (argv only, never a shell), a cleared environment, working
 * directory {@code /}, concurrently drained and capped output, and a timeout that kills the whole
 * process tree.
 *
 * <p>Usable without OSGi: {@code new ProcessCommandExecutor(ExecutorSettings.builder()...build())}.
 * {@link #reconfigure(ExecutorSettings)} swaps the allowlist live; requests already running finish
 * under the settings they started with. {@link #close()} stops the threads that feed stdin.
 */
public final class ProcessCommandExecutor implements CommandExecutor, AutoCloseable {

    /** The whole environment a child sees. */
    public static final Map<String, String> CHILD_ENVIRONMENT = Map.of(
            "PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
            "LC_ALL", "C");

    /** Counter key for requests naming no allowlisted command (so unknown names cannot grow the map). */
    public static final String UNKNOWN_COMMAND = "(unknown)";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessCommandExecutor.class);
    private static final int LOGGED_OUTPUT_CHARS = 512;
    /** Bounds reading what is left in the pipes after the process exited. */
    private static final long FINAL_DRAIN_MILLIS = 1000;
    private static final long MIN_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int READ_BUFFER = 8192;
    private static final File ROOT_DIRECTORY = new File("/");
    private static final File DEV_NULL = new File("/dev/null");
    /** How long after timeout(1)'s SIGKILL the JVM still waits before it kills what it can. */
    private static final int HELPER_MARGIN_SECONDS = 2;
    /** timeout(1)'s exit status when the command ended on SIGTERM, and (128 + 9) on SIGKILL. */
    private static final int TIMEOUT_TERM_STATUS = 124;
    private static final int TIMEOUT_KILL_STATUS = 137;

    private final int uid;
    private final CommandTelemetry telemetry;
    private final ExecutorService io;
    private final Map<String, Counters> counters = new ConcurrentHashMap<>();
    private volatile Allowlist allowlist;

    /**
     * Builds an executor for this process's effective uid.
     *
     * @param settings the settings
     * @throws InvalidConfigurationException if a setting is malformed (a bad pattern, a relative
     *         path, a bound out of range); executables that fail their checks only make their
     *         command unusable
     */
    public ProcessCommandExecutor(ExecutorSettings settings) throws InvalidConfigurationException {
        this(settings, ExecutableCheck.effectiveUid());
    }

    /**
     * Builds an executor as if running with {@code effectiveUid} (0 means root: no root-helper
     * prefix); for tests of the privilege rules.
     *
     * @param settings the settings
     * @param effectiveUid the uid to assume
     * @throws InvalidConfigurationException if a setting is malformed
     */
    public ProcessCommandExecutor(ExecutorSettings settings, int effectiveUid) throws InvalidConfigurationException {
        this(settings, effectiveUid, CommandTelemetry.NONE);
    }

    /**
     * Builds an executor that reports each request to {@code telemetry} (events and metrics).
     *
     * @param settings the settings
     * @param effectiveUid the uid to assume (0 means root)
     * @param telemetry where outcomes and durations go, by command name only
     * @throws InvalidConfigurationException if a setting is malformed
     */
    public ProcessCommandExecutor(ExecutorSettings settings, int effectiveUid, CommandTelemetry telemetry)
            throws InvalidConfigurationException {
        this.uid = effectiveUid;
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.allowlist = Allowlist.compile(settings, effectiveUid, LOG);
        AtomicInteger threads = new AtomicInteger();
        this.io = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "volumedriver-exec-stdin-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Replaces the settings. A malformed configuration is refused and the current one stays.
     *
     * @param settings the new settings
     * @throws InvalidConfigurationException if a setting is malformed
     */
    public void reconfigure(ExecutorSettings settings) throws InvalidConfigurationException {
        allowlist = Allowlist.compile(settings, uid, LOG);
    }

    /** @return the settings in force */
    public ExecutorSettings settings() {
        return allowlist.settings();
    }

    @Override
    public List<CommandDefinition> allowlist() {
        return allowlist.definitions();
    }

    @Override
    public Map<String, CommandStatistics> statistics() {
        Map<String, CommandStatistics> out = new LinkedHashMap<>();
        for (CommandDefinition definition : allowlist.definitions()) {
            out.put(definition.name(), counters(definition.name()).snapshot());
        }
        counters.forEach((name, c) -> out.putIfAbsent(name, c.snapshot()));
        return Collections.unmodifiableMap(out);
    }

    @Override
    public CommandResult run(CommandRequest request)
            throws CommandRejectedException, ExecutorSaturatedException, CommandFailedException {
        Objects.requireNonNull(request, "request");
        Allowlist current = allowlist;
        Allowlist.Invocation invocation;
        try {
            invocation = current.invocation(request);
        } catch (CommandRejectedException e) {
            String name = current.knows(request.command()) ? request.command() : UNKNOWN_COMMAND;
            counters(name).rejected();
            telemetry.rejected(name);
            LOG.info("refused: {}", e.getMessage());
            throw e;
        }
        Counters c = counters(request.command());
        ExecutorSettings settings = current.settings();
        long waitStart = System.nanoTime();
        try {
            if (!current.slots().tryAcquire(saturatedNanos(settings.queueTimeout()), TimeUnit.NANOSECONDS)) {
                c.rejected();
                LOG.warn("command {} not started: all {} command slots stayed busy for {} ms", request.command(),
                        settings.maxConcurrent(), settings.queueTimeout().toMillis());
                ExecutorSaturatedException saturated = new ExecutorSaturatedException(request.command(),
                        settings.maxConcurrent(), Duration.ofNanos(System.nanoTime() - waitStart));
                telemetry.saturated(request.command(), saturated.getMessage());
                throw saturated;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.rejected();
            telemetry.rejected(request.command());
            throw new CommandFailedException(request.command(), -1, "interrupted while waiting for a command slot");
        }
        try {
            return execute(request, invocation, settings.outputCapBytes(), c, current.privileged(request.command()));
        } finally {
            current.slots().release();
        }
    }

    private Counters counters(String name) {
        return counters.computeIfAbsent(name, n -> new Counters());
    }

    private CommandResult execute(CommandRequest request, Allowlist.Invocation invocation, int cap, Counters c, boolean privileged)
            throws CommandFailedException {
        List<String> argv = invocation.argv();
        List<String> shown = Redactor.redactArgv(argv);
        if (privileged) {
            // an audit trail of what ran with privileges
            LOG.info("running privileged {}: {}", request.command(), shown);
        } else {
            LOG.debug("running {}: {}", request.command(), shown);
        }
        ProcessBuilder builder = new ProcessBuilder(argv).directory(ROOT_DIRECTORY);
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.putAll(CHILD_ENVIRONMENT);
        byte[] stdin = request.stdin();
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        }
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            c.startFailed();
            telemetry.startFailed(request.command());
            LOG.warn("command {} could not be started: {}", request.command(), e.getClass().getSimpleName());
            throw new CommandFailedException(request.command(), -1, "could not be started");
        }
        CappedOutput out = new CappedOutput(process.getInputStream(), cap);
        CappedOutput err = new CappedOutput(process.getErrorStream(), cap);
        if (stdin != null) {
            try {
                io.execute(() -> feed(process.getOutputStream(), stdin));
            } catch (RuntimeException e) {
                // the executor was closed: do not leave the child behind
                killTree(process);
                c.startFailed();
                telemetry.startFailed(request.command());
                throw new CommandFailedException(request.command(), -1, "executor is shut down");
            }
        }
        // with timeout(1) inside the root helper, it acts first; the JVM's own kill stays as the backstop
        Duration deadline = invocation.helperTimeout() == null ? request.timeout()
                : saturatedPlus(request.timeout(), Duration.ofSeconds(Allowlist.HELPER_KILL_AFTER_SECONDS + HELPER_MARGIN_SECONDS));
        boolean timedOut;
        try {
            timedOut = !pump(process, out, err, saturatedNanos(deadline), start);
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            long nanos = System.nanoTime() - start;
            c.ran(nanos, false, true);
            telemetry.finished(request.command(), CommandTelemetry.FAILED, nanos);
            throw new CommandFailedException(request.command(), -1, "interrupted; process tree killed");
        } finally {
            out.close();
            err.close();
        }
        long nanos = System.nanoTime() - start;
        int status = process.isAlive() ? -1 : process.exitValue();
        if (!timedOut && invocation.helperTimeout() != null && (status == TIMEOUT_TERM_STATUS || status == TIMEOUT_KILL_STATUS)
                && nanos >= saturatedNanos(invocation.helperTimeout())) {
            // timeout(1) ended it: 124 after SIGTERM, 128 + 9 after SIGKILL
            timedOut = true;
        }
        CommandResult result = new CommandResult(request.command(), shown, status, out.text(), err.text(),
                out.truncated() || err.truncated(), Duration.ofNanos(nanos), timedOut);
        c.ran(nanos, timedOut, status != 0);
        telemetry.finished(request.command(),
                timedOut ? CommandTelemetry.TIMEOUT : status != 0 ? CommandTelemetry.FAILED : CommandTelemetry.OK, nanos);
        logOutcome(result, request.timeout());
        return result;
    }

    /** Durations beyond about 292 years do not fit in nanoseconds; they mean "practically forever". */
    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static Duration saturatedPlus(Duration a, Duration b) {
        try {
            return a.plus(b);
        } catch (ArithmeticException e) {
            return a;
        }
    }

    private static void feed(OutputStream stdin, byte[] bytes) {
        try (OutputStream o = stdin) {
            o.write(bytes);
        } catch (IOException e) {
            // the child closed its stdin or exited: nothing more to give it
        }
    }

    /**
     * Drains both output streams while waiting for the process, in the calling thread: a stream is
     * only read as far as bytes are available, so nothing blocks on a pipe (not even one that a
     * detached daemon keeps open), and both pipes are emptied often enough that the child never
     * waits on a full one for long. The wait between polls doubles while the child is silent and
     * returns at once when it exits.
     *
     * @return {@code true} if the process exited by itself, {@code false} if its timeout expired
     *         and its tree was killed
     */
    private static boolean pump(Process process, CappedOutput out, CappedOutput err, long timeoutNanos, long start)
            throws InterruptedException {
        byte[] buffer = new byte[READ_BUFFER];
        long deadline = timeoutNanos > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + timeoutNanos;
        long pause = MIN_PAUSE_NANOS;
        while (true) {
            boolean read = out.drainAvailable(buffer) | err.drainAvailable(buffer);
            if (!process.isAlive()) {
                break;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                killTree(process);
                process.waitFor(5, TimeUnit.SECONDS);
                drainRest(out, err, buffer);
                return false;
            }
            if (read) {
                pause = MIN_PAUSE_NANOS;
                continue;
            }
            process.waitFor(Math.min(pause, remaining), TimeUnit.NANOSECONDS);
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
        drainRest(out, err, buffer);
        return true;
    }

    /** What the process wrote before it exited is in the pipes (or buffered by the JDK): take it, bounded. */
    private static void drainRest(CappedOutput out, CappedOutput err, byte[] buffer) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FINAL_DRAIN_MILLIS);
        while ((out.drainAvailable(buffer) | err.drainAvailable(buffer)) && System.nanoTime() < until) {
            // a detached process still writing into the pipe cannot keep us here
        }
    }

    /**
     * Kills a process and everything below it with SIGKILL, descendants first so that none is
     * re-parented out of reach while its parent dies; repeated a few times for children forked
     * meanwhile.
     */
    static void killTree(Process process) {
        ProcessHandle root = process.toHandle();
        for (int round = 0; round < 5; round++) {
            List<ProcessHandle> descendants = root.descendants().toList();
            if (descendants.isEmpty()) {
                break;
            }
            // deepest first: descendants() lists parents before their children
            for (int i = descendants.size() - 1; i >= 0; i--) {
                descendants.get(i).destroyForcibly();
            }
        }
        root.destroyForcibly();
    }

    private static void logOutcome(CommandResult result, Duration timeout) {
        long millis = result.duration().toMillis();
        if (result.timedOut()) {
            LOG.warn("command {} timed out after {} ms; process tree killed: {}", result.command(), timeout.toMillis(),
                    result.argv());
        } else if (result.exitStatus() != 0) {
            LOG.info("command {} exited with status {} after {} ms: {}", result.command(), result.exitStatus(), millis,
                    result.argv());
        } else {
            LOG.debug("command {} succeeded in {} ms", result.command(), millis);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("command {} stdout: {}", result.command(), forLog(result.stdout()));
            LOG.debug("command {} stderr: {}", result.command(), forLog(result.stderr()));
        }
    }

    /** Child output for a debug line: redacted, control characters escaped, truncated. */
    static String forLog(String output) {
        String text = Redactor.redactText(output);
        StringBuilder b = new StringBuilder();
        int limit = Math.min(text.length(), LOGGED_OUTPUT_CHARS);
        for (int i = 0; i < limit; i++) {
            char ch = text.charAt(i);
            if (ch == '\n') {
                b.append("\\n");
            } else if (ch < 0x20 || ch == 0x7f) {
                b.append(String.format("\\x%02x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        if (text.length() > limit) {
            b.append("...(").append(text.length()).append(" chars)");
        }
        return b.toString();
    }

    /** Stops the threads that feed stdin; requests still running keep theirs until they finish. */
    @Override
    public void close() {
        io.shutdown();
    }
}
