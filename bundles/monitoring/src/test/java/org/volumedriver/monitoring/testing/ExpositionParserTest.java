package org.volumedriver.monitoring.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The parser must refuse what a scraper could misread, or the tests built on it prove nothing. */
class ExpositionParserTest {

    private static final String GOOD = """
            # HELP volumedriver_mounts Mounts by state\\nsecond line
            # TYPE volumedriver_mounts gauge
            volumedriver_mounts{driver="quobyte",state="HEALTHY"} 1.0
            volumedriver_mounts{driver="quobyte",state="STALE"} NaN
            # TYPE volumedriver_connect_seconds histogram
            volumedriver_connect_seconds_bucket{driver="q",le="0.1"} 1
            volumedriver_connect_seconds_bucket{driver="q",le="+Inf"} 2
            volumedriver_connect_seconds_count{driver="q"} 2
            volumedriver_connect_seconds_sum{driver="q"} 3.5e-1
            untyped_sample{label="a \\"quoted\\" \\\\ value"} -Inf 1700000000000
            """;

    @Test
    void aWellFormedExpositionIsRead() {
        ExpositionParser.Exposition e = ExpositionParser.parse(GOOD);
        assertEquals(java.util.List.of("volumedriver_mounts", "volumedriver_connect_seconds", "untyped_sample"), e.names());
        assertEquals("Mounts by state\nsecond line", e.family("volumedriver_mounts").help());
        assertEquals(1.0, e.value("volumedriver_mounts", Map.of("state", "HEALTHY")));
        assertTrue(Double.isNaN(e.value("volumedriver_mounts", Map.of("state", "STALE"))));
        assertEquals(0.35, e.value("volumedriver_connect_seconds_sum", Map.of()));
        assertEquals("a \"quoted\" \\ value", e.family("untyped_sample").samples().get(0).labels().get("label"));
        assertEquals("untyped", e.family("untyped_sample").type());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "no_newline 1",
        "bad-name 1\n",
        "m{l=\"v\"}  1\n",
        "m{l=\"v\"} one\n",
        "m{l=v} 1\n",
        "m{l=\"v\",l=\"w\"} 1\n",
        "m{__l=\"v\"} 1\n",
        "m{l=\"\\t\"} 1\n",
        "m 1\nm 2\n",
        "m 1\nother 1\nm 2\n",
        "# TYPE m gauge\n# TYPE m counter\nm 1\n",
        "m 1\n# TYPE m gauge\n",
        "# TYPE m fancy\nm 1\n",
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
        "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n",
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_count 2\n",
        "m 1\r\n"})
    void deviationsAreRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExpositionParser.parse(text));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void openMetricsNeedsEofAndNoBlankLineAndCountersWithTotal() {
        String good = "# TYPE c counter\n# HELP c runs\nc_total{a=\"b\"} 2.0\nc_created{a=\"b\"} 1.7e9\n# EOF\n";
        assertEquals(2.0, ExpositionParser.parseOpenMetrics(good).value("c_total", Map.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> ExpositionParser.parseOpenMetrics("# TYPE c counter\nc_total 1\n"));
        assertThrows(IllegalArgumentException.class, () -> ExpositionParser.parseOpenMetrics("c_total 1\n\n# EOF\n"));
        assertThrows(IllegalArgumentException.class, () -> ExpositionParser.parseOpenMetrics("# EOF\nc_total 1\n"));
        assertThrows(IllegalArgumentException.class, () -> ExpositionParser.parseOpenMetrics("# TYPE c counter\nc 1\n# EOF\n"));
    }
}
