package org.volumedriver.shell.commands;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.CommandException;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.shell.internal.DriverLookup;
import org.volumedriver.shell.internal.ShellErrors;
import org.volumedriver.spi.VolumeDriver;

/**
 * Common ground of the commands: driver lookup, and every failure turned into one line
 * ({@code Error [<code>]: <message>}) that fails the command without a stack trace.
 *
 * <p>All service references are optional or lists, so that one missing service disables only the
 * commands that need it (they say so), not the whole bundle's commands.
 */
abstract class ShellAction implements Action {

    @Reference(optional = true)
    VolumeDrivers registry;

    @Reference
    List<VolumeDriver> driverServices;

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
    abstract void run() throws Exception;

    DriverLookup drivers() {
        return DriverLookup.of(registry, driverServices);
    }
}
