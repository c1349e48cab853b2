package org.volumedriver.spi;

/**
 * Connection info was rejected before anything was created or run: a field is missing, has the
 * wrong type or fails its grammar.
 */
public class InvalidConnectionInfoException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field the offending field as a path, for example {@code data.export}
     * @param reason why it was rejected, without echoing secrets
     */
    public InvalidConnectionInfoException(String field, String reason) {
        this("INVALID_CONNECTION_INFO", field, reason);
    }

    /**
     * For subclasses with a more specific code.
     *
     * @param code the stable code
     * @param field the offending field
     * @param reason why it was rejected
     */
    protected InvalidConnectionInfoException(String code, String field, String reason) {
        super(code, "invalid connection info: " + field + " " + reason);
        this.field = field;
    }

    /**
     * @return the offending field as a path, for example {@code data.name}
     */
    public String field() {
        return field;
    }
}
