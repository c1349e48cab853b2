package org.volumedriver.itests.karaf.bench;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.volumedriver.itests.karaf.EventRecorder;
import org.volumedriver.itests.karaf.TelemetryTestSupport;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriver;

/**
 * Does a slow Event Admin subscriber slow down the driver? Connect throughput in the distribution
 * (connect + disconnect of {@value #PAIRS} attachments on one export that an anchor attachment
 * keeps mounted, through the Quobyte driver service; every call posts one event) without and with
 * an {@code org/volumedriver/*} handler that sleeps {@value #HANDLER_SLEEP_MILLIS} ms per event.
 * A third variant, a handler that returns at once, separates the cost of having a subscriber at all
 * from the cost of a slow one. Rounds alternate (without, fast, slow) after {@value #WARMUP_ROUNDS}
 * warm-up rounds; the medians of {@value #ROUNDS} rounds each and their ratios are printed and
 * written to {@code target/measurements/events.txt}. The events
 * are posted asynchronously, so the ratio should stay near 1; a synchronous send would make every
 * call wait for the handler. Never asserts a time.
 *
 * <p>Run (opt-in, with the other measurements of the {@code measure} profile, or alone):
 * {@code scripts/test -o -pl itests/karaf -Dvolumedriver.measure=true -Dtest=EventHandlerMeasurement}
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EventHandlerMeasurement extends TelemetryTestSupport {

    static final int PAIRS = 1000;
    static final int WARMUP_ROUNDS = 2;
    static final int ROUNDS = 5;
    static final long HANDLER_SLEEP_MILLIS = 100;
    static final String EXPORT = "registry-m.example.org:7861/measure";
    static final String VOLUME = "volume-7a3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";

    @Test
    public void connectThroughputWithAndWithoutASlowHandler() throws Exception {
        requireRealMounts();
        String json = connectionInfo(EXPORT, VOLUME);
        connect(json, VOLUME, "anchor");
        onlyMountDirectory();
        List<Double> without = new ArrayList<>();
        List<Double> fast = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        List<Integer> deliveredInRound = new ArrayList<>();
        for (int r = -WARMUP_ROUNDS; r < ROUNDS; r++) {
            double plain = round(json, "plain" + r);
            double quick;
            try (EventRecorder recorder = EventRecorder.register(bundleContext)) {
                quick = round(json, "fast" + r);
            }
            double slowed;
            int delivered;
            try (EventRecorder slow = EventRecorder.register(bundleContext, HANDLER_SLEEP_MILLIS)) {
                slowed = round(json, "slow" + r);
                delivered = slow.events().size();
            }
            if (r >= 0) {
                without.add(plain);
                fast.add(quick);
                with.add(slowed);
                deliveredInRound.add(delivered);
            }
        }
        disconnect(json, VOLUME, "anchor");
        assertEquals(List.of(), sandboxMounts());

        double plain = Measurements.median(without);
        double quick = Measurements.median(fast);
        double slow = Measurements.median(with);
        String summary = String.format("connect+disconnect of %d attachments on one mount, median of %d rounds: "
                + "%.1f ms without a handler %s; %.1f ms with a handler that returns at once %s; %.1f ms with a "
                + "handler sleeping %d ms per event %s; ratio slow/without %.3f, fast/without %.3f; events the slow "
                + "handler had received when its round ended (of %d posted): %s", PAIRS, ROUNDS, plain, without, quick,
                fast, slow, HANDLER_SLEEP_MILLIS, with, slow / plain, quick / plain, 2 * PAIRS, deliveredInRound);
        Path file = Measurements.file(sandboxHome(), "events.txt");
        Measurements.reset(file);
        Measurements.append(file, "# ms per round: without, fast handler, slow handler");
        for (int r = 0; r < ROUNDS; r++) {
            Measurements.append(file, without.get(r) + " " + fast.get(r) + " " + with.get(r));
        }
        Measurements.append(file, "# " + summary);
        System.err.println(summary);
        System.out.println(summary);
    }

    /** @return milliseconds for {@link #PAIRS} connects and disconnects */
    private double round(String json, String prefix) throws Exception {
        VolumeDriver driver = quobyte();
        ConnectionInfo info = ConnectionInfo.fromJson(json);
        List<Attachment> attachments = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            attachments.add(new Attachment(VOLUME, prefix + "-" + i));
        }
        long start = System.nanoTime();
        for (Attachment a : attachments) {
            driver.connect(info, a);
        }
        for (Attachment a : attachments) {
            driver.disconnect(info, a);
        }
        double millis = (System.nanoTime() - start) / 1e6;
        assertEquals("the anchor keeps the export mounted", 1, sandboxMounts().size());
        return millis;
    }
}
