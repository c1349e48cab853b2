package org.volumedriver.spi;

import java.util.Collection;
import java.util.List;

/**
 * No driver is registered for the requested {@code driver_volume_type}.
 */
public class UnknownDriverException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final List<String> available;

    /**
     * @param type the requested type (quoted safely in the message)
     * @param available the types that are registered now
     */
    public UnknownDriverException(String type, Collection<String> available) {
        super("UNKNOWN_DRIVER", "no volume driver for type " + Redactor.quote(type) + "; available: " + List.copyOf(available));
        this.available = List.copyOf(available);
    }

    /**
     * @return the driver types registered when the lookup failed
     */
    public List<String> available() {
        return available;
    }
}
