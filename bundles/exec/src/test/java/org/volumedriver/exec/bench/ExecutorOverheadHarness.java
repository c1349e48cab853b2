package org.volumedriver.exec.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;

/**
 * Paired companion to {@link ExecutorBenchmark} for shared, noisy machines: runs {@code /bin/true}
 * through the executor and through a bare {@link ProcessBuilder} (plain, and with the executor's
 * process hygiene) in rotating order, call by call, so that load drifting over time affects all
 * sides equally, and prints the medians and their ratios.
 *
 * <p>Arguments: {@code [rounds] [warmup rounds]}, default 2000 and 300.
 */
public final class ExecutorOverheadHarness {

    private static final String TRUE = "/bin/true";
    private static final File ROOT = new File("/");
    private static final File DEV_NULL = new File("/dev/null");

    private ExecutorOverheadHarness() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        CommandRequest request = CommandRequest.of("true", Duration.ofSeconds(10));
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.builder().clearCommands()
                .command("true", TRUE, false, List.of(List.of())).build())) {
            long[] viaExecutor = new long[pairs];
            long[] bare = new long[pairs];
            long[] bareHygiene = new long[pairs];
            for (int i = -warmup; i < pairs; i++) {
                // every variant takes every position in turn, so position effects cancel out
                long a = 0;
                long b = 0;
                long c = 0;
                for (int slot = 0; slot < 3; slot++) {
                    switch (Math.floorMod(i + slot, 3)) {
                        case 0 -> a = timeExecutor(executor, request);
                        case 1 -> b = timeBare(false);
                        default -> c = timeBare(true);
                    }
                }
                if (i >= 0) {
                    viaExecutor[i] = a;
                    bare[i] = b;
                    bareHygiene[i] = c;
                }
            }
            report("executor", viaExecutor);
            report("bare ProcessBuilder", bare);
            report("bare ProcessBuilder, same hygiene", bareHygiene);
            System.out.printf("ratio of medians executor/bare: %.3f%n", median(viaExecutor) / median(bare));
            System.out.printf("ratio of medians executor/bare-same-hygiene: %.3f%n",
                    median(viaExecutor) / median(bareHygiene));
        }
    }

    private static long timeExecutor(ProcessCommandExecutor executor, CommandRequest request) throws Exception {
        long start = System.nanoTime();
        if (executor.run(request).exitStatus() != 0) {
            throw new IllegalStateException("/bin/true failed");
        }
        return System.nanoTime() - start;
    }

    private static long timeBare(boolean hygiene) throws IOException, InterruptedException {
        long start = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(TRUE);
        if (hygiene) {
            builder.directory(ROOT).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
            builder.environment().clear();
            builder.environment().putAll(ProcessCommandExecutor.CHILD_ENVIRONMENT);
        }
        Process process = builder.start();
        try (InputStream out = process.getInputStream(); InputStream err = process.getErrorStream()) {
            out.readAllBytes();
            err.readAllBytes();
        }
        process.getOutputStream().close();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("/bin/true failed");
        }
        return System.nanoTime() - start;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void report(String label, long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        System.out.printf("%-36s n=%d  p50=%7.1f us  p90=%7.1f us  p99=%7.1f us%n", label, sorted.length,
                sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.9)] / 1e3,
                sorted[(int) (sorted.length * 0.99)] / 1e3);
    }
}
