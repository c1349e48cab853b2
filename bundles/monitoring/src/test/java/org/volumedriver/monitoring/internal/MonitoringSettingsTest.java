package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.testsupport.ShippedConfig;

class MonitoringSettingsTest {

    @Test
    void noConfigurationGivesTheDefaults() throws Exception {
        MonitoringSettings s = MonitoringSettings.fromProperties(null);
        assertEquals(MonitoringSettings.DEFAULTS, s);
        assertTrue(s.enabled());
        assertEquals("/metrics", s.path());
        assertEquals(Duration.ofSeconds(10), s.mountsCache());
        assertEquals(Duration.ofMillis(2000), s.mountsTimeout());
    }

    @Test
    void theShippedFileGivesTheDefaults() throws Exception {
        assertEquals(MonitoringSettings.DEFAULTS, MonitoringSettings.fromProperties(ShippedConfig.read(MonitoringSettings.PID)));
    }

    @Test
    void stringsAndTypedValuesAreRead() throws Exception {
        MonitoringSettings s = MonitoringSettings.fromProperties(Map.of("metrics.enabled", "false", "metrics.path", " /vd/metrics ",
                "metrics.mounts.cache.seconds", 0L, "metrics.mounts.timeout.millis", "250"));
        assertFalse(s.enabled());
        assertEquals("/vd/metrics", s.path());
        assertEquals(Duration.ZERO, s.mountsCache());
        assertEquals(Duration.ofMillis(250), s.mountsTimeout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "metrics", "/metrics/", "/metrics/*", "*.prom", "//metrics", "/a/../b", "/a/.", "/me trics",
        "/metrics?x=1", "/m\u00e9trics"})
    void aPathThatIsNotOneExactPathIsRefused(String path) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> MonitoringSettings.fromProperties(Map.of("metrics.path", path)));
        assertEquals("metrics.path", e.key());
        assertEquals("INVALID_CONFIGURATION", e.code());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void badNumbersAndBooleansAreRefusedByKey() {
        assertEquals("metrics.mounts.cache.seconds", assertThrows(InvalidConfigurationException.class,
                () -> MonitoringSettings.fromProperties(Map.of("metrics.mounts.cache.seconds", "ten"))).key());
        assertEquals("metrics.mounts.cache.seconds", assertThrows(InvalidConfigurationException.class,
                () -> MonitoringSettings.fromProperties(Map.of("metrics.mounts.cache.seconds", -1))).key());
        assertEquals("metrics.mounts.timeout.millis", assertThrows(InvalidConfigurationException.class,
                () -> MonitoringSettings.fromProperties(Map.of("metrics.mounts.timeout.millis", "60001"))).key());
        assertEquals("metrics.enabled", assertThrows(InvalidConfigurationException.class,
                () -> MonitoringSettings.fromProperties(Map.of("metrics.enabled", "yes"))).key());
    }
}
