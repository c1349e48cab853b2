package org.volumedriver.spi;

/**
 * A configuration value was refused; the previous configuration, if any, keeps running.
 */
public class InvalidConfigurationException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key the configuration key
     * @param reason why the value was refused
     */
    public InvalidConfigurationException(String key, String reason) {
        super("INVALID_CONFIGURATION", "configuration " + key + " refused: " + reason);
        this.key = key;
    }

    /**
     * @return the configuration key
     */
    public String key() {
        return key;
    }
}
