package org.volumedriver.exec.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeEvents;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The executor's events and meters: {@value VolumeEvents#EXECUTOR_SATURATED} and
 * {@value VolumeEvents#EXECUTOR_TIMED_OUT} through Event Admin ({@code postEvent}, asynchronous),
 * the counter {@value #RUNS} (tags {@code command}, {@code outcome}) and the timer
 * {@value #DURATION} (tag {@code command}) in the MeterRegistry. Both services are optional and
 * may come and go at any time (the DS component binds them dynamically); while one is absent its
 * part is a no-op. Tags and event properties carry the command name only: an allowlist key or
 * {@link ProcessCommandExecutor#UNKNOWN_COMMAND}, so neither secrets from the argv nor caller
 * chosen names reach a metric.
 */
public final class Telemetry implements CommandTelemetry {

    /** Counter of requests by command and outcome. */
    public static final String RUNS = "volumedriver.command.runs";
    /** Timer of the processes that ran, by command. */
    public static final String DURATION = "volumedriver.command";
    /** Tag: the command name. */
    public static final String TAG_COMMAND = "command";
    /** Tag: the outcome, one of ok, failed, timeout, rejected. */
    public static final String TAG_OUTCOME = "outcome";

    private final AtomicReference<EventAdmin> events = new AtomicReference<>();
    private final AtomicReference<MeterRegistry> registry = new AtomicReference<>();

    /** @param eventAdmin the Event Admin to post to from now on */
    public void bindEventAdmin(EventAdmin eventAdmin) {
        events.set(eventAdmin);
    }

    /** @param eventAdmin the Event Admin going away; ignored if another one was bound meanwhile */
    public void unbindEventAdmin(EventAdmin eventAdmin) {
        events.compareAndSet(eventAdmin, null);
    }

    /** @param meterRegistry the registry to record into from now on */
    public void bindMeterRegistry(MeterRegistry meterRegistry) {
        registry.set(meterRegistry);
    }

    /** @param meterRegistry the registry going away; ignored if another one was bound meanwhile */
    public void unbindMeterRegistry(MeterRegistry meterRegistry) {
        registry.compareAndSet(meterRegistry, null);
    }

    @Override
    public void rejected(String command) {
        count(command, REJECTED);
    }

    @Override
    public void saturated(String command, String message) {
        count(command, REJECTED);
        EventAdmin admin = events.get();
        if (admin != null) {
            Map<String, Object> properties = properties(command);
            properties.put(VolumeEvents.MESSAGE, oneLine(message));
            admin.postEvent(new Event(VolumeEvents.EXECUTOR_SATURATED, properties));
        }
    }

    @Override
    public void finished(String command, String outcome, long nanos) {
        MeterRegistry meters = registry.get();
        if (meters != null) {
            counter(meters, command, outcome).increment();
            Timer.builder(DURATION).description("Run time of the processes the executor started (to exit or kill), by command")
                    .tag(TAG_COMMAND, command).register(meters).record(nanos, TimeUnit.NANOSECONDS);
        }
        EventAdmin admin = events.get();
        if (admin != null && TIMEOUT.equals(outcome)) {
            Map<String, Object> properties = properties(command);
            properties.put(VolumeEvents.DURATION_NANOS, nanos);
            admin.postEvent(new Event(VolumeEvents.EXECUTOR_TIMED_OUT, properties));
        }
    }

    @Override
    public void startFailed(String command) {
        count(command, FAILED);
    }

    private void count(String command, String outcome) {
        MeterRegistry meters = registry.get();
        if (meters != null) {
            counter(meters, command, outcome).increment();
        }
    }

    private static Counter counter(MeterRegistry meters, String command, String outcome) {
        return Counter.builder(RUNS).description("Command requests by command and outcome: ok, failed, timeout, rejected")
                .tag(TAG_COMMAND, command).tag(TAG_OUTCOME, outcome).register(meters);
    }

    private static Map<String, Object> properties(String command) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(EventConstants.TIMESTAMP, System.currentTimeMillis());
        properties.put(VolumeEvents.COMMAND, command);
        return properties;
    }

    private static String oneLine(String message) {
        return Redactor.redactText(message == null ? "" : message).replaceAll("[\\r\\n]+", " ");
    }
}
