package org.volumedriver.libvirt.internal;

import java.util.Map;

import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.testsupport.ComponentConfigs;

/** The bundle's configuration as Declarative Services hands it over, and the disk policies made from it. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /**
     * @param overrides values by method name ({@code source_types}, {@code formats}, ...)
     * @return a configuration with the annotation's defaults for everything else
     */
    static LibvirtConfig config(Map<String, Object> overrides) {
        return ComponentConfigs.of(LibvirtConfig.class, overrides);
    }

    static LibvirtConfig defaults() {
        return config(Map.of());
    }

    static DiskPolicy policy(Map<String, Object> overrides) {
        try {
            return DiskPolicy.from(config(overrides));
        } catch (InvalidConfigurationException e) {
            throw new AssertionError(e);
        }
    }

    public static DiskPolicy defaultPolicy() {
        return policy(Map.of());
    }
}
