package org.volumedriver.spi;

/**
 * The driver does not implement an optional operation of the contract, for example
 * {@link VolumeDriver#adopt} in a driver written against an earlier version. Nothing was changed.
 */
public class OperationNotSupportedException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String driverType;
    private final String operation;

    /**
     * @param driverType the driver's type
     * @param operation the operation, for example {@code adopt}
     */
    public OperationNotSupportedException(String driverType, String operation) {
        super("NOT_SUPPORTED", "volume driver " + Redactor.quote(driverType) + " does not support " + operation);
        this.driverType = driverType;
        this.operation = operation;
    }

    /** @return the driver's type */
    public String driverType() {
        return driverType;
    }

    /** @return the operation that is not supported */
    public String operation() {
        return operation;
    }
}
