package org.volumedriver.exec.internal;

import java.time.Duration;

import org.volumedriver.exec.CommandStatistics;

/** Counters for one logical command; synchronized, updated once per request. */
final class Counters {
    private long runs;
    private long failures;
    private long timeouts;
    private long rejected;
    private long totalNanos;
    private long maxNanos;

    synchronized void rejected() {
        rejected++;
    }

    synchronized void startFailed() {
        failures++;
    }

    synchronized void ran(long nanos, boolean timedOut, boolean failed) {
        runs++;
        if (timedOut) {
            timeouts++;
        } else if (failed) {
            failures++;
        }
        totalNanos += nanos;
        maxNanos = Math.max(maxNanos, nanos);
    }

    synchronized CommandStatistics snapshot() {
        return new CommandStatistics(runs, failures, timeouts, rejected, Duration.ofNanos(totalNanos),
                Duration.ofNanos(maxNanos));
    }
}
