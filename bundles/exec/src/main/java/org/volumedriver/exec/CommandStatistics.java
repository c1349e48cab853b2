package org.volumedriver.exec;

import java.time.Duration;

/**
 * Counters for one logical command since the executor started.
 *
 * @param runs processes started
 * @param failures processes that exited with a status other than 0, or could not start
 * @param timeouts processes killed at their timeout
 * @param rejected requests refused before spawning
 * @param totalDuration the sum of the run durations
 * @param maxDuration the longest run
 */
public record CommandStatistics(long runs, long failures, long timeouts, long rejected, Duration totalDuration,
        Duration maxDuration) {
}
