package org.volumedriver.shell.support;

/**
 * A service a command needs is not registered (its bundle is stopped or not installed).
 */
public final class ServiceUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param service a short name of the missing service, for the message
     */
    public ServiceUnavailableException(String service) {
        super("no " + service + " service is registered; is its bundle installed and active?");
    }

    /**
     * @param <T> the service type
     * @param service the injected service, possibly {@code null}
     * @param name a short name of the service, for the message
     * @return the service
     * @throws ServiceUnavailableException if it is {@code null}
     */
    public static <T> T require(T service, String name) {
        if (service == null) {
            throw new ServiceUnavailableException(name);
        }
        return service;
    }
}
