package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.volumedriver.monitoring.testing.ExpositionParser;
import org.volumedriver.monitoring.testing.ExpositionParser.Exposition;
import org.volumedriver.monitoring.testing.ExpositionParser.Sample;

/**
 * The scrape over HTTP, as Prometheus fetches it from the distribution: both formats parse
 * strictly (the monitoring bundle's test parser, unpacked into the probe by pom.xml), and a real connect and disconnect move the
 * driver's timers (histogram counts and buckets), the executor's counters and timers, and the
 * gauges of mounts and attachments; no label value names the export, the mount directory, the
 * volume or the instance.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class MetricsIT extends TelemetryTestSupport {

    static final String EXPORT = "registry-p.example.org:7861/metrics";
    static final String VOLUME = "volume-8a3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";
    static final String INSTANCE = "instance-metrics";
    static final Map<String, String> QUOBYTE_OK = Map.of("driver", "quobyte", "outcome", "ok");

    @Test
    public void t01_bothFormatsParseStrictly() throws Exception {
        HttpResponse<String> text = scrape(null);
        assertEquals(200, text.statusCode());
        assertTrue(contentType(text), contentType(text).startsWith("text/plain; version=0.0.4"));
        Exposition exposition = ExpositionParser.parse(text.body());
        assertTrue(exposition.names().toString(), exposition.names().contains("volumedriver_mounts"));
        assertEquals(0.0, exposition.value("volumedriver_mounts", Map.of("driver", "quobyte", "state", "STALE")), 0.0);
        assertTrue(exposition.find("volumedriver_executor_runs_total", Map.of("command", "mount.quobyte")).isPresent());

        HttpResponse<String> open = scrape("application/openmetrics-text; version=1.0.0");
        assertEquals(200, open.statusCode());
        assertTrue(contentType(open), contentType(open).startsWith("application/openmetrics-text"));
        assertTrue(open.body().endsWith("# EOF\n"));
        Exposition openMetrics = ExpositionParser.parseOpenMetrics(open.body());
        assertTrue(openMetrics.names().toString(), openMetrics.names().contains("volumedriver_mounts"));
    }

    @Test
    public void t10_aConnectAndADisconnectMoveTheCountersAndHistograms() throws Exception {
        requireRealMounts();
        String json = connectionInfo(EXPORT, VOLUME);
        Exposition before = ExpositionParser.parse(scrape(null).body());

        connect(json, VOLUME, INSTANCE);
        String dir = onlyMountDirectory();
        Exposition connected = ExpositionParser.parse(scrape(null).body());
        assertEquals(1.0, delta(before, connected, "volumedriver_connect_seconds_count", QUOBYTE_OK), 0.0);
        assertEquals(1.0, delta(before, connected, "volumedriver_connect_seconds_bucket", with(QUOBYTE_OK, "le", "+Inf")), 0.0);
        assertTrue("the connect's duration is in the sum",
                delta(before, connected, "volumedriver_connect_seconds_sum", QUOBYTE_OK) > 0);
        assertEquals(1.0, delta(before, connected, "volumedriver_mount_seconds_count", QUOBYTE_OK), 0.0);
        assertEquals(1.0, delta(before, connected, "volumedriver_command_runs_total",
                Map.of("command", "mount.quobyte", "outcome", "ok")), 0.0);
        assertEquals(1.0, delta(before, connected, "volumedriver_command_seconds_count", Map.of("command", "mount.quobyte")), 0.0);
        assertEquals(1.0, delta(before, connected, "volumedriver_executor_runs_total", Map.of("command", "mount.quobyte")), 0.0);
        assertOneBucketMoved(before, connected, "volumedriver_connect_seconds_bucket", QUOBYTE_OK);
        // the gauges come from a cached mounts() snapshot: wait for the next one
        Exposition mountedGauges = awaitGauge("volumedriver_mounts", Map.of("driver", "quobyte", "state", "HEALTHY"),
                value(before, "volumedriver_mounts", Map.of("driver", "quobyte", "state", "HEALTHY")) + 1);
        assertEquals(value(before, "volumedriver_attachments", Map.of("driver", "quobyte")) + 1,
                value(mountedGauges, "volumedriver_attachments", Map.of("driver", "quobyte")), 0.0);
        assertNoLabelNames(mountedGauges, dir);

        disconnect(json, VOLUME, INSTANCE);
        assertEquals(List.of(), sandboxMounts());
        Exposition disconnected = ExpositionParser.parse(scrape(null).body());
        assertEquals(1.0, delta(connected, disconnected, "volumedriver_disconnect_seconds_count", QUOBYTE_OK), 0.0);
        assertEquals(1.0, delta(connected, disconnected, "volumedriver_unmount_seconds_count", QUOBYTE_OK), 0.0);
        assertEquals(0.0, delta(connected, disconnected, "volumedriver_connect_seconds_count", QUOBYTE_OK), 0.0);
        assertEquals(1.0, delta(connected, disconnected, "volumedriver_command_runs_total",
                Map.of("command", "umount", "outcome", "ok")), 0.0);
        assertEquals(1.0, delta(connected, disconnected, "volumedriver_command_seconds_count", Map.of("command", "umount")), 0.0);
        Exposition unmountedGauges = awaitGauge("volumedriver_mounts", Map.of("driver", "quobyte", "state", "HEALTHY"),
                value(before, "volumedriver_mounts", Map.of("driver", "quobyte", "state", "HEALTHY")));
        assertNoLabelNames(unmountedGauges, dir);
        assertNoLabelNames(ExpositionParser.parseOpenMetrics(scrape("application/openmetrics-text; version=1.0.0").body()), dir);
        for (ExpositionParser.Family family : unmountedGauges.families()) {
            if (family.name().startsWith("volumedriver_")) {
                assertTrue(family.name() + " says what it measures in its HELP", family.help() != null && !family.help().isBlank());
            }
        }
    }

    // ---- helpers ----

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    /** A sample's value; a series not created yet counts as 0 (meters appear on first use). */
    private static double value(Exposition exposition, String name, Map<String, String> labels) {
        return exposition.find(name, labels).orElse(0.0);
    }

    private static double delta(Exposition before, Exposition after, String name, Map<String, String> labels) {
        assertTrue("after: no sample " + name + labels, after.find(name, labels).isPresent());
        return value(after, name, labels) - value(before, name, labels);
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> out = new java.util.HashMap<>(labels);
        out.put(key, value);
        return out;
    }

    /** Cumulative buckets: the connect fell into one bucket, so each bucket from that one up grew by 1, those below by 0. */
    private static void assertOneBucketMoved(Exposition before, Exposition after, String name, Map<String, String> labels) {
        double previous = 0;
        int steps = 0;
        for (Sample s : after.samples()) {
            if (!s.name().equals(name) || !s.labels().entrySet().containsAll(labels.entrySet())) {
                continue;
            }
            double d = s.value() - value(before, name, s.labels());
            assertTrue(s + " delta " + d, d == 0.0 || d == 1.0);
            assertTrue("cumulative deltas at " + s, d >= previous);
            if (d != previous) {
                steps++;
            }
            previous = d;
        }
        assertEquals("exactly one bucket took the connect", 1, steps);
        assertEquals(1.0, previous, 0.0);
    }

    private Exposition awaitGauge(String name, Map<String, String> labels, double expected) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            Exposition e = ExpositionParser.parse(scrape(null).body());
            double v = value(e, name, labels);
            if (v == expected || System.currentTimeMillis() > deadline) {
                assertEquals(name + labels, expected, v, 0.0);
                return e;
            }
            Thread.sleep(500);
        }
    }

    private static void assertNoLabelNames(Exposition exposition, String dir) {
        for (Sample s : exposition.samples()) {
            for (String v : s.labels().values()) {
                for (String forbidden : List.of(EXPORT, dir, VOLUME, INSTANCE, "registry-p")) {
                    assertFalse(s + " names " + forbidden, v.contains(forbidden));
                }
            }
        }
    }
}
