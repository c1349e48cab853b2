package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.exec.internal.TestPrograms.script;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.spi.CommandRejectedException;
import org.volumedriver.spi.ExecutorSaturatedException;
import org.volumedriver.spi.VolumeEvents;
import org.volumedriver.testsupport.RecordingEventAdmin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The executor's events and meters, with real processes, a recording Event Admin and a
 * SimpleMeterRegistry: outcomes by command name, the TIMED_OUT and SATURATED events with their
 * properties, no argv anywhere, and nothing at all while no service is bound.
 */
class TelemetryTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final String SECRET = "s3cret-Pa55word";

    @TempDir
    Path dir;

    private final RecordingEventAdmin events = new RecordingEventAdmin();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Telemetry telemetry = new Telemetry();
    private Path started;
    private Path release;
    private ProcessCommandExecutor executor;

    @BeforeEach
    void setUp() throws Exception {
        started = Files.createDirectory(dir.resolve("started"));
        release = dir.resolve("release");
        // holds its slot until the test releases it (at most 20 s), whatever its arguments
        Path hold = script(dir, "hold", "touch '" + started + "'/$$\ni=0\nwhile [ ! -e '" + release
                + "' ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done");
        ExecutorSettings settings = ExecutorSettings.builder()
                .maxConcurrent(1)
                .queueTimeout(Duration.ofMillis(300))
                .command("true", "/usr/bin/true", false, List.of(List.of()))
                .command("exit", script(dir, "exit", "exit \"$1\"").toString(), false, List.of(List.of("[0-9]{1,3}")))
                .command("hold", hold.toString(), false, List.of(List.of(), List.of("--password", "[ -~]+")))
                .command("sleep", script(dir, "sleep", "sleep 20").toString(), false,
                        List.of(List.of("--password", "[ -~]+")))
                .build();
        telemetry.bindEventAdmin(events);
        telemetry.bindMeterRegistry(meters);
        executor = new ProcessCommandExecutor(settings, ExecutableCheck.effectiveUid(), telemetry);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (!Files.exists(release)) {
            Files.createFile(release);
        }
        executor.close();
    }

    @Test
    void everyOutcomeIsCountedAndEveryRunTimedByCommandName() throws Exception {
        assertTrue(executor.run(CommandRequest.of("true", T)).succeeded());
        assertTrue(executor.run(CommandRequest.of("true", T)).succeeded());
        assertEquals(3, executor.run(CommandRequest.of("exit", T, "3")).exitStatus());
        CommandResult timedOut = executor.run(CommandRequest.of("sleep", Duration.ofMillis(300), "--password", "x"));
        assertTrue(timedOut.timedOut());
        assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("exit", T, "-1")));

        assertEquals(2.0, runs("true", "ok"));
        assertEquals(1.0, runs("exit", "failed"));
        assertEquals(1.0, runs("sleep", "timeout"));
        assertEquals(1.0, runs("exit", "rejected"));
        assertEquals(2, timer("true").count());
        assertEquals(1, timer("exit").count(), "a refused request ran nothing to time");
        Timer sleep = timer("sleep");
        assertEquals(1, sleep.count());
        assertTrue(sleep.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) >= 300, "timed until the kill");

        List<Event> posted = events.posted();
        assertEquals(List.of(VolumeEvents.EXECUTOR_TIMED_OUT), topics(posted), "only the timeout is an event");
        Event event = posted.get(0);
        assertEquals("sleep", event.getProperty(VolumeEvents.COMMAND));
        Long nanos = assertInstanceOf(Long.class, event.getProperty(VolumeEvents.DURATION_NANOS));
        assertEquals(timedOut.duration().toNanos(), nanos.longValue(), "the run's own duration");
        assertInstanceOf(Long.class, event.getProperty(EventConstants.TIMESTAMP));
        assertEquals(Set.of(VolumeEvents.COMMAND, VolumeEvents.DURATION_NANOS, EventConstants.TIMESTAMP, "event.topics"),
                Set.of(event.getPropertyNames()));
    }

    @Test
    void unknownAndCallerChosenNamesAreCountedUnderOneName() {
        assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("rm", T, "-rf", "/")));
        assertThrows(CommandRejectedException.class,
                () -> executor.run(CommandRequest.of("x-" + SECRET, T)));
        assertEquals(2.0, runs(ProcessCommandExecutor.UNKNOWN_COMMAND, "rejected"));
        assertEquals(Set.of("(unknown)"), tagValues("command"), "no caller-chosen name becomes a tag value");
        assertEquals(List.of(), events.posted());
    }

    @Test
    void saturationIsCountedRejectedAndPostedWithTheCommandOnly() throws Exception {
        CompletableFuture<CommandResult> holder = CompletableFuture.supplyAsync(() -> {
            try {
                return executor.run(CommandRequest.of("hold", Duration.ofSeconds(30)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitStarted(1);
        try {
            ExecutorSaturatedException e = assertThrows(ExecutorSaturatedException.class,
                    () -> executor.run(CommandRequest.of("hold", T, "--password", SECRET)));
            assertEquals("EXECUTOR_SATURATED", e.code());
        } finally {
            Files.createFile(release);
        }
        assertTrue(holder.get().succeeded());
        assertEquals(1.0, runs("hold", "rejected"));
        assertEquals(1.0, runs("hold", "ok"));
        List<Event> posted = events.posted();
        assertEquals(List.of(VolumeEvents.EXECUTOR_SATURATED), topics(posted));
        Event event = posted.get(0);
        assertEquals("hold", event.getProperty(VolumeEvents.COMMAND));
        String message = (String) event.getProperty(VolumeEvents.MESSAGE);
        assertTrue(message.contains("command hold not started: all 1 command slots stayed busy"), message);
        assertFalse(message.contains("\n"), message);
        assertInstanceOf(Long.class, event.getProperty(EventConstants.TIMESTAMP));
        assertNoSecret();
    }

    @Test
    void argvNeverReachesAnEventOrATag() throws Exception {
        assertTrue(executor.run(CommandRequest.of("sleep", Duration.ofMillis(200), "--password", SECRET)).timedOut());
        assertThrows(CommandRejectedException.class, () -> executor.run(CommandRequest.of("sleep", T, SECRET)));
        assertEquals(1, events.posted().size());
        assertNoSecret();
    }

    @Test
    void withoutServicesNothingIsRecordedAndCommandsStillRun() throws Exception {
        telemetry.unbindEventAdmin(events);
        telemetry.unbindMeterRegistry(meters);
        assertTrue(executor.run(CommandRequest.of("sleep", Duration.ofMillis(200), "--password", "x")).timedOut());
        assertTrue(executor.run(CommandRequest.of("true", T)).succeeded());
        assertEquals(List.of(), events.posted());
        assertEquals(List.of(), meters.getMeters());
    }

    @Test
    void aReplacedServiceIsNotDroppedByTheLateUnbindOfTheOldOne() throws Exception {
        RecordingEventAdmin newer = new RecordingEventAdmin();
        SimpleMeterRegistry newerMeters = new SimpleMeterRegistry();
        // greedy replacement: DS binds the new service before it unbinds the old one
        telemetry.bindEventAdmin(newer);
        telemetry.bindMeterRegistry(newerMeters);
        telemetry.unbindEventAdmin(events);
        telemetry.unbindMeterRegistry(meters);
        assertTrue(executor.run(CommandRequest.of("sleep", Duration.ofMillis(200), "--password", "x")).timedOut());
        assertEquals(1, newer.posted().size());
        assertEquals(List.of(), events.posted());
        assertNotNull(newerMeters.find(Telemetry.RUNS).tags("command", "sleep", "outcome", "timeout").counter());
        assertNull(meters.find(Telemetry.RUNS).counter());
    }

    private void awaitStarted(int count) throws Exception {
        for (int i = 0; i < 400; i++) {
            try (Stream<Path> s = Files.list(started)) {
                if (s.count() >= count) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the holding command did not start");
    }

    private double runs(String command, String outcome) {
        Counter counter = meters.find(Telemetry.RUNS).tags("command", command, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private Timer timer(String command) {
        Timer timer = meters.find(Telemetry.DURATION).tags("command", command).timer();
        assertNotNull(timer, "timer of " + command);
        return timer;
    }

    private Set<String> tagValues(String key) {
        Set<String> values = new TreeSet<>();
        for (Meter meter : meters.getMeters()) {
            String value = meter.getId().getTag(key);
            if (value != null) {
                values.add(value);
            }
        }
        return values;
    }

    private void assertNoSecret() {
        List<String> seen = new ArrayList<>();
        for (Event event : events.posted()) {
            for (String name : event.getPropertyNames()) {
                seen.add(event.getTopic() + " " + name + "=" + event.getProperty(name));
            }
        }
        for (Meter meter : meters.getMeters()) {
            seen.add(meter.getId().getName());
            for (Tag tag : meter.getId().getTags()) {
                seen.add(tag.getKey() + "=" + tag.getValue());
            }
        }
        assertFalse(seen.isEmpty());
        for (String s : seen) {
            assertFalse(s.contains(SECRET) || s.contains("password"), "secret or argv in: " + s);
        }
    }

    private static List<String> topics(List<Event> posted) {
        return posted.stream().map(Event::getTopic).toList();
    }
}
