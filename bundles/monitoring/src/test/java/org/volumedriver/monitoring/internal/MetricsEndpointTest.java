package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.monitoring.testing.ExpositionParser;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

class MetricsEndpointTest {

    private final PrometheusMeterRegistry registry = MetricsComponent.newRegistry();

    @AfterEach
    void close() {
        registry.close();
    }

    private MetricsEndpoint.Scrape scrape(String accept) throws Exception {
        return new MetricsEndpoint(registry, () -> { }).scrape(accept);
    }

    @Test
    void withoutAcceptItIsPrometheusText004() throws Exception {
        Counter.builder("volumedriver.command.runs").tags("command", "umount", "outcome", "ok").register(registry).increment();
        MetricsEndpoint.Scrape s = scrape(null);
        assertEquals("text/plain; version=0.0.4; charset=utf-8", s.contentType());
        ExpositionParser.Exposition e = ExpositionParser.parse(new String(s.body(), StandardCharsets.UTF_8));
        assertEquals(1, e.value("volumedriver_command_runs_total", Map.of("command", "umount", "outcome", "ok")));
        assertEquals(s.contentType(), scrape("text/plain;version=0.0.4;q=0.3,*/*;q=0.1").contentType());
    }

    @Test
    void openMetricsWhenAskedForEndingWithEof() throws Exception {
        Counter.builder("volumedriver.command.runs").tags("command", "umount", "outcome", "ok").register(registry).increment(2);
        MetricsEndpoint.Scrape s = scrape("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", s.contentType());
        String text = new String(s.body(), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("# EOF\n"), text);
        ExpositionParser.Exposition e = ExpositionParser.parseOpenMetrics(text);
        assertEquals("counter", e.family("volumedriver_command_runs").type());
        assertEquals(2, e.value("volumedriver_command_runs_total", Map.of("command", "umount")));
    }

    @Test
    void protobufIsNotInstalledSoTheBestTextFormatAcceptedIsServed() throws Exception {
        // what Prometheus sends when it prefers protobuf (native histograms)
        String prometheus = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.9,"
                + "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", scrape(prometheus).contentType());
        String protobufOnly = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
        MetricsEndpoint.Scrape s = scrape(protobufOnly);
        assertEquals("text/plain; version=0.0.4; charset=utf-8", s.contentType());
        ExpositionParser.parse(new String(s.body(), StandardCharsets.UTF_8));
    }

    @Test
    void volumedriverTimersGetTheBucketsFrom100MicrosecondsTo60Seconds() throws Exception {
        Timer connect = Timer.builder("volumedriver.connect").tags("driver", "quobyte", "outcome", "ok").register(registry);
        connect.record(3, TimeUnit.MILLISECONDS);
        connect.record(Duration.ofSeconds(45));
        connect.record(Duration.ofSeconds(90));

        ExpositionParser.Exposition e = ExpositionParser.parse(new String(scrape(null).body(), StandardCharsets.UTF_8));

        assertEquals("histogram", e.family("volumedriver_connect_seconds").type());
        Map<String, String> tags = Map.of("driver", "quobyte", "outcome", "ok");
        List<String> les = e.family("volumedriver_connect_seconds").samples().stream()
                .filter(s -> s.name().endsWith("_bucket")).map(s -> s.labels().get("le")).toList();
        assertEquals(List.of("1.0E-4", "2.5E-4", "5.0E-4", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
                "1.0", "2.5", "5.0", "10.0", "30.0", "60.0", "+Inf"), les);
        assertEquals(0, e.value("volumedriver_connect_seconds_bucket", with(tags, "le", "0.0025")));
        assertEquals(1, e.value("volumedriver_connect_seconds_bucket", with(tags, "le", "0.005")));
        assertEquals(1, e.value("volumedriver_connect_seconds_bucket", with(tags, "le", "30.0")));
        assertEquals(2, e.value("volumedriver_connect_seconds_bucket", with(tags, "le", "60.0")));
        assertEquals(3, e.value("volumedriver_connect_seconds_bucket", with(tags, "le", "+Inf")));
        assertEquals(3, e.value("volumedriver_connect_seconds_count", tags));
        assertEquals(135.003, e.value("volumedriver_connect_seconds_sum", tags), 1e-6);
    }

    @Test
    void otherTimersGetNoBucketsAndPercentilesAreNeverComputedOnTheClient() throws Exception {
        Timer.builder("other.work").publishPercentiles(0.5, 0.99).register(registry).record(Duration.ofMillis(5));
        Timer.builder("volumedriver.mount").publishPercentiles(0.99).publishPercentileHistogram().register(registry)
                .record(Duration.ofMillis(5));
        String text = new String(scrape(null).body(), StandardCharsets.UTF_8);
        ExpositionParser.Exposition e = ExpositionParser.parse(text);
        assertEquals("summary", e.family("other_work_seconds").type());
        assertTrue(e.family("other_work_seconds").samples().stream().noneMatch(s -> s.labels().containsKey("quantile")), text);
        assertFalse(text.contains("quantile"), text);
        assertEquals(19, e.family("volumedriver_mount_seconds").samples().stream().filter(s -> s.name().endsWith("_bucket")).count());
    }

    @Test
    void valuesAreGatheredBeforeEveryScrape() throws Exception {
        AtomicInteger gathered = new AtomicInteger();
        MetricsEndpoint endpoint = new MetricsEndpoint(registry, gathered::incrementAndGet);
        endpoint.scrape(null);
        endpoint.scrape("application/openmetrics-text");
        assertEquals(2, gathered.get());
    }

    private static Map<String, String> with(Map<String, String> tags, String key, String value) {
        Map<String, String> all = new java.util.HashMap<>(tags);
        all.put(key, value);
        return all;
    }
}
