package org.volumedriver.monitoring.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.VolumeDriver;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters of each driver: its mounts by state, its attachments, the age of the mounts answer
 * they show, and its {@link VolumeDriver#counters()} as counters. The values are gathered by
 * {@link #refresh} before a scrape; the meters only read them, so nothing blocks inside the
 * registry. Labels are the driver type, the state and the counter name: never an export, a path,
 * a volume or an instance (A6, and a series per volume would be unbounded).
 */
final class DriverMeters {

    static final String MOUNTS = "volumedriver.mounts";
    static final String ATTACHMENTS = "volumedriver.attachments";
    static final String SNAPSHOT_AGE = "volumedriver.mounts.snapshot.age";
    static final String EVENTS = "volumedriver.driver.events";
    static final String DRIVER_TAG = "driver";
    static final String STATE_TAG = "state";
    static final String COUNTER_TAG = "counter";

    private static final Logger LOG = LoggerFactory.getLogger(DriverMeters.class);

    /** What the meters of one driver read. */
    private static final class Values {
        final List<Meter> meters = new ArrayList<>();
        /** Every counter seen, its last value: a key a driver stops reporting keeps its value. */
        final Map<String, Long> counters = new ConcurrentHashMap<>();
        volatile MountSnapshots.Snapshot mounts;
    }

    private final MeterRegistry registry;
    private final MountSnapshots snapshots;
    private final Map<String, Values> byType = new ConcurrentHashMap<>();

    DriverMeters(MeterRegistry registry, MountSnapshots snapshots) {
        this.registry = registry;
        this.snapshots = snapshots;
    }

    /**
     * Asks every driver for its counters and, when the cached answer is older than the cache period,
     * for its mounts; waits for those answers at most until the deadline. Registers the meters of
     * new drivers and new counter names, removes those of drivers that are gone.
     *
     * @param drivers the drivers bound now
     * @param deadlineNanos until when to wait for mounts answers, on the snapshots' clock
     */
    synchronized void refresh(BoundDrivers drivers, long deadlineNanos) {
        List<String> types = new ArrayList<>(drivers.types());
        byType.keySet().removeIf(type -> {
            if (!types.contains(type)) {
                removeMeters(type);
                return true;
            }
            return false;
        });
        for (String type : types) {
            drivers.driver(type).ifPresent(driver -> snapshots.request(type, driver));
        }
        for (String type : types) {
            Optional<VolumeDriver> driver = drivers.driver(type);
            if (driver.isEmpty()) {
                continue;
            }
            Values values = byType.computeIfAbsent(type, this::registerMeters);
            readCounters(type, driver.get(), values);
            snapshots.await(type, deadlineNanos).ifPresent(s -> values.mounts = s);
        }
    }

    /** Removes every meter of every driver. */
    synchronized void clear() {
        byType.keySet().forEach(this::removeMeters);
        byType.clear();
    }

    private void readCounters(String type, VolumeDriver driver, Values values) {
        Map<String, Long> now;
        try {
            now = driver.counters();
        } catch (RuntimeException e) {
            LOG.warn("counters() of driver {} failed, the metrics keep the last values: {}", type, e.toString());
            return;
        }
        now.forEach((name, value) -> {
            if (name == null || value == null) {
                return;
            }
            if (values.counters.put(name, value) == null) {
                values.meters.add(FunctionCounter.builder(EVENTS, values.counters, c -> c.getOrDefault(name, 0L))
                        .description("The driver's own counters (VolumeDriver.counters()), by name")
                        .tags(DRIVER_TAG, type, COUNTER_TAG, name)
                        .register(registry));
            }
        });
    }

    private Values registerMeters(String type) {
        Values values = new Values();
        for (MountState state : MountState.values()) {
            values.meters.add(Gauge.builder(MOUNTS, values, v -> count(v.mounts, state))
                    .description("Mounts of the driver by state, from its last mounts() answer")
                    .tags(DRIVER_TAG, type, STATE_TAG, state.name())
                    .strongReference(true)
                    .register(registry));
        }
        values.meters.add(Gauge.builder(ATTACHMENTS, values, v -> attachments(v.mounts))
                .description("Attachments counted on the driver's mounts, from its last mounts() answer")
                .tags(DRIVER_TAG, type)
                .strongReference(true)
                .register(registry));
        values.meters.add(Gauge.builder(SNAPSHOT_AGE, values,
                v -> v.mounts == null ? Double.NaN : snapshots.age(v.mounts).toNanos() / 1e9)
                .description("Age of the mounts() answer the mount gauges show")
                .baseUnit("seconds")
                .tags(DRIVER_TAG, type)
                .strongReference(true)
                .register(registry));
        return values;
    }

    private void removeMeters(String type) {
        Values values = byType.get(type);
        if (values != null) {
            values.meters.forEach(registry::remove);
        }
        snapshots.forget(type);
    }

    private static double count(MountSnapshots.Snapshot snapshot, MountState state) {
        if (snapshot == null) {
            return Double.NaN;
        }
        return snapshot.mounts().stream().filter(m -> m.state() == state).count();
    }

    private static double attachments(MountSnapshots.Snapshot snapshot) {
        if (snapshot == null) {
            return Double.NaN;
        }
        return snapshot.mounts().stream().mapToInt((MountStatus m) -> m.attachments().size()).sum();
    }
}
