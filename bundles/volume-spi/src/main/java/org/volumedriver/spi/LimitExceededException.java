package org.volumedriver.spi;

/**
 * A configured limit (mounted exports, concurrent operations, input size) would be exceeded; raised
 * before any process starts.
 */
public class LimitExceededException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String limit;
    private final long maximum;

    /**
     * @param limit the name of the limit, for example its configuration key
     * @param maximum the configured maximum
     */
    public LimitExceededException(String limit, long maximum) {
        super("LIMIT_EXCEEDED", "limit " + limit + " (" + maximum + ") reached");
        this.limit = limit;
        this.maximum = maximum;
    }

    /**
     * @return the name of the limit
     */
    public String limit() {
        return limit;
    }

    /**
     * @return the configured maximum
     */
    public long maximum() {
        return maximum;
    }
}
