package org.volumedriver.spi;

/**
 * The root of every failure a volume driver, the executor or the libvirt flow reports.
 *
 * <p>Each subclass stands for one failure an operator must tell apart, and carries a stable
 * {@link #code()} for scripts and the shell. Messages never contain secrets: untrusted values are
 * rendered with {@link Redactor#quote(String)}.
 */
public class VolumeDriverException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String code;

    /**
     * @param code a stable upper-case code, for example {@code INVALID_CONNECTION_INFO}
     * @param message a message fit for an operator, without secrets
     */
    public VolumeDriverException(String code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * @param code a stable upper-case code
     * @param message a message fit for an operator, without secrets
     * @param cause the underlying failure
     */
    public VolumeDriverException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /**
     * @return the stable code of this kind of failure
     */
    public String code() {
        return code;
    }
}
