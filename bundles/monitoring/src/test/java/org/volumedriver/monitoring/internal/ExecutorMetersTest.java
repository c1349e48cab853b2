package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.monitoring.testing.ExpositionParser;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

class ExecutorMetersTest {

    private final PrometheusMeterRegistry registry = MetricsComponent.newRegistry();
    private final ExecutorMeters meters = new ExecutorMeters(registry);

    @AfterEach
    void close() {
        registry.close();
    }

    private static CommandStatistics stats(long runs, long failures, long timeouts, long rejected) {
        return new CommandStatistics(runs, failures, timeouts, rejected, Duration.ofMillis(runs * 10), Duration.ofMillis(10));
    }

    @Test
    void statisticsPerCommandAreCountersLabelledByTheCommandName() {
        FakeExecutor executor = new FakeExecutor();
        executor.statistics.put("mount.quobyte", stats(4, 1, 1, 0));
        executor.statistics.put("umount", stats(2, 0, 0, 3));

        ExpositionParser.Exposition e = Scrapes.parsed(registry, () -> meters.refresh(executor));

        assertEquals("counter", e.family("volumedriver_executor_runs_total").type());
        assertEquals(4, e.value("volumedriver_executor_runs_total", Map.of("command", "mount.quobyte")));
        assertEquals(1, e.value("volumedriver_executor_failures_total", Map.of("command", "mount.quobyte")));
        assertEquals(1, e.value("volumedriver_executor_timeouts_total", Map.of("command", "mount.quobyte")));
        assertEquals(3, e.value("volumedriver_executor_rejected_total", Map.of("command", "umount")));

        executor.statistics.put("umount", stats(7, 0, 0, 3));
        executor.statistics.put("systemctl-scope", stats(1, 0, 0, 0));
        ExpositionParser.Exposition later = Scrapes.parsed(registry, () -> meters.refresh(executor));
        assertEquals(7, later.value("volumedriver_executor_runs_total", Map.of("command", "umount")));
        assertEquals(1, later.value("volumedriver_executor_runs_total", Map.of("command", "systemctl-scope")));
    }

    @Test
    void withoutAnExecutorThereAreNoExecutorCounters() {
        FakeExecutor executor = new FakeExecutor();
        executor.statistics.put("umount", stats(2, 0, 0, 0));
        Scrapes.parsed(registry, () -> meters.refresh(executor));

        ExpositionParser.Exposition e = Scrapes.parsed(registry, () -> meters.refresh(null));

        assertTrue(e.samples().stream().noneMatch(s -> s.name().startsWith("volumedriver_executor_")), e.names().toString());
    }
}
