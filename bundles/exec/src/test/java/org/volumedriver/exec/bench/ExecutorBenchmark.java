package org.volumedriver.exec.bench;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;

/**
 * The executor's overhead: {@code /bin/true} through {@link ProcessCommandExecutor} (allowlist
 * check, semaphore, cleared environment, pooled output readers, timeout wait) against a bare
 * {@link ProcessBuilder} that starts it, reads both streams and waits. Compare the p0.50 lines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class ExecutorBenchmark {

    private static final String TRUE = "/bin/true";
    private static final java.io.File ROOT = new java.io.File("/");
    private static final java.io.File DEV_NULL = new java.io.File("/dev/null");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final CommandRequest REQUEST = CommandRequest.of("true", TIMEOUT);

    private ProcessCommandExecutor executor;

    @Setup
    public void setUp() throws Exception {
        executor = new ProcessCommandExecutor(ExecutorSettings.builder().clearCommands()
                .command("true", TRUE, false, List.of(List.of())).build());
    }

    @TearDown
    public void tearDown() {
        executor.close();
    }

    @Benchmark
    public int executor() throws Exception {
        return executor.run(REQUEST).exitStatus();
    }

    @Benchmark
    public int bareProcessBuilder() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(TRUE).start();
        try (InputStream out = process.getInputStream(); InputStream err = process.getErrorStream()) {
            out.readAllBytes();
            err.readAllBytes();
        }
        process.getOutputStream().close();
        return process.waitFor();
    }

    /**
     * The same process hygiene as the executor (cleared environment, working directory /, stdin
     * from /dev/null) without its checks, limits and reader threads: isolates the executor's own cost.
     */
    @Benchmark
    public int bareProcessBuilderSameHygiene() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(TRUE).directory(ROOT)
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        builder.environment().clear();
        builder.environment().putAll(ProcessCommandExecutor.CHILD_ENVIRONMENT);
        Process process = builder.start();
        try (InputStream out = process.getInputStream(); InputStream err = process.getErrorStream()) {
            out.readAllBytes();
            err.readAllBytes();
        }
        return process.waitFor();
    }
}
