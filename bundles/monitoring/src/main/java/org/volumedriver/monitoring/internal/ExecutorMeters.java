package org.volumedriver.monitoring.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandStatistics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The executor's {@link CommandStatistics} per logical command as counters
 * ({@code volumedriver_executor_runs_total{command}}, {@code _failures_}, {@code _timeouts_},
 * {@code _rejected_}), read by {@link #refresh} before a scrape. The label is the command's logical
 * name from the allowlist, never its arguments (they may hold secrets).
 */
final class ExecutorMeters {

    static final String PREFIX = "volumedriver.executor.";
    static final String COMMAND_TAG = "command";

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorMeters.class);

    /** The counters per command, each with what it reads of the statistics. */
    private static final Map<String, ToLongFunction<CommandStatistics>> COUNTERS = Map.of(
            "runs", CommandStatistics::runs,
            "failures", CommandStatistics::failures,
            "timeouts", CommandStatistics::timeouts,
            "rejected", CommandStatistics::rejected);

    private final MeterRegistry registry;
    private final Map<String, CommandStatistics> last = new ConcurrentHashMap<>();
    private final List<Meter> meters = new ArrayList<>();
    private CommandExecutor reading;

    ExecutorMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Reads the statistics of the executor bound now and registers the counters of commands not
     * seen before. Another executor instance starts from zero: its predecessor's counters are removed.
     *
     * @param executor the executor bound now, {@code null} when there is none
     */
    synchronized void refresh(CommandExecutor executor) {
        if (executor != reading) {
            clear();
            reading = executor;
        }
        if (executor == null) {
            return;
        }
        Map<String, CommandStatistics> now;
        try {
            now = executor.statistics();
        } catch (RuntimeException e) {
            LOG.warn("statistics() of the executor failed, the metrics keep the last values: {}", e.toString());
            return;
        }
        now.forEach((command, statistics) -> {
            if (command != null && statistics != null && last.put(command, statistics) == null) {
                COUNTERS.forEach((name, read) -> meters.add(
                        FunctionCounter.builder(PREFIX + name, last, l -> l.containsKey(command) ? read.applyAsLong(l.get(command)) : 0)
                                .description("Executor statistics per allowlisted command: " + name)
                                .tags(COMMAND_TAG, command)
                                .register(registry)));
            }
        });
    }

    /** Removes every executor counter. */
    synchronized void clear() {
        meters.forEach(registry::remove);
        meters.clear();
        last.clear();
        reading = null;
    }
}
