package org.volumedriver.monitoring.internal;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Gives every timer named {@code volumedriver.*} fixed histogram buckets from 100 µs to 60 s, so
 * that the producers record plain timers and Prometheus computes quantiles across hosts from the
 * buckets. Client-side percentiles are turned off for every meter: they cannot be aggregated, and
 * they would need HdrHistogram, which this bundle does not install.
 */
final class TimerHistograms implements MeterFilter {

    /** The prefix of the timers that get the buckets. */
    static final String PREFIX = "volumedriver.";

    /** The bucket bounds (Prometheus {@code le}, in seconds): 1-2.5-5 steps, then 30 s and 60 s. */
    static final List<Duration> BUCKETS = List.of(
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

    private static final double[] BUCKET_NANOS = BUCKETS.stream().mapToDouble(Duration::toNanos).toArray();

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        DistributionStatisticConfig.Builder ours = DistributionStatisticConfig.builder().percentiles();
        if (id.getType() == Meter.Type.TIMER && id.getName().startsWith(PREFIX)) {
            ours.percentilesHistogram(false)
                    .serviceLevelObjectives(BUCKET_NANOS)
                    .minimumExpectedValue(BUCKET_NANOS[0])
                    .maximumExpectedValue(BUCKET_NANOS[BUCKET_NANOS.length - 1]);
        }
        return ours.build().merge(config);
    }
}
