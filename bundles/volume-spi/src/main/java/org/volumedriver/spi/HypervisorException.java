package org.volumedriver.spi;

/**
 * The hypervisor (libvirt) refused or failed an operation on a domain.
 */
public class HypervisorException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errorCode;

    /**
     * @param operation what was attempted, for example {@code attach}
     * @param errorCode the hypervisor's numeric error code, or -1 if none
     * @param detail a short description, without secrets
     * @param cause the underlying failure, possibly {@code null}
     */
    public HypervisorException(String operation, int errorCode, String detail, Throwable cause) {
        super("HYPERVISOR_ERROR", operation + " failed (libvirt error " + errorCode + "): " + detail, cause);
        this.operation = operation;
        this.errorCode = errorCode;
    }

    /**
     * @return what was attempted
     */
    public String operation() {
        return operation;
    }

    /**
     * @return the hypervisor's numeric error code, or -1 if none
     */
    public int errorCode() {
        return errorCode;
    }
}
