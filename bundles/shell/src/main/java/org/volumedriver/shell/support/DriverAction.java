package org.volumedriver.shell.support;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.CommandException;
import org.volumedriver.spi.VolumeDrivers;

/**
 * Base of the product's Karaf commands: drivers are found through the {@link VolumeDrivers}
 * service, and every failure becomes one line ({@code Error [<code>]: <message>}) that fails the
 * command without a stack trace.
 *
 * <p>The reference is optional, like every single-service reference of the commands: a missing
 * service disables only what needs it, and those commands say so ({@code SERVICE_UNAVAILABLE}).
 * Subclasses live in a package their bundle names in its {@code Karaf-Commands} header and carry
 * Karaf's {@code @Service} and {@code @Command}.
 */
public abstract class DriverAction implements Action {

    @Reference(optional = true)
    private VolumeDrivers registry;

    @Override
    public final Object execute() throws Exception {
        try {
            run();
            return null;
        } catch (CommandException e) {
            throw e;
        } catch (Exception e) {
            throw ShellErrors.toCommandException(e);
        }
    }

    /**
     * Does the command's work, printing to {@code System.out} (the session's console).
     *
     * @throws Exception any failure; it becomes the one error line
     */
    protected abstract void run() throws Exception;

    /**
     * @return the drivers registered now
     * @throws ServiceUnavailableException if no {@link VolumeDrivers} service is registered
     */
    protected final DriverLookup drivers() {
        return DriverLookup.of(registry);
    }
}
