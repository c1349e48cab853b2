package org.volumedriver.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ComponentConfigsTest {

    @interface SampleConfig {
        String uri() default "qemu:///system";

        long wait_ms() default 5000L;

        String[] formats() default {"raw", "qcow2"};
    }

    @Test
    void defaultsUnlessAValueIsGiven() {
        SampleConfig config = ComponentConfigs.of(SampleConfig.class, Map.of("wait_ms", 10L, "formats", new String[] {"raw"}));
        assertEquals("qemu:///system", config.uri());
        assertEquals(10L, config.wait_ms());
        assertArrayEquals(new String[] {"raw"}, config.formats());
        assertEquals(SampleConfig.class, config.annotationType());
        assertEquals(5000L, ComponentConfigs.defaults(SampleConfig.class).wait_ms());
    }

    @Test
    void objectMethodsAnswerWithoutAValue() {
        SampleConfig config = ComponentConfigs.of(SampleConfig.class, Map.of("uri", "test:///default"));
        assertEquals(config, config);
        assertNotEquals(config, ComponentConfigs.of(SampleConfig.class, Map.of("uri", "test:///default")));
        assertEquals(System.identityHashCode(config), config.hashCode());
        assertTrue(config.toString().startsWith("SampleConfig{"), config.toString());
    }

    @Test
    void aMisspeltKeyIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ComponentConfigs.of(SampleConfig.class, Map.of("waitms", 10L)));
        assertEquals("SampleConfig has no method [waitms]", e.getMessage());
    }
}
