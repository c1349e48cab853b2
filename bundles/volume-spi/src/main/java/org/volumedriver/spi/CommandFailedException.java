package org.volumedriver.spi;

/**
 * A command ran and exited with a status other than success, or could not be started.
 */
public class CommandFailedException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String command;
    private final int exitStatus;

    /**
     * @param command the logical command name
     * @param exitStatus the exit status, or -1 if the process could not be started
     * @param detail a short description, without secrets
     */
    public CommandFailedException(String command, int exitStatus, String detail) {
        super("COMMAND_FAILED", "command " + command + " failed with exit status " + exitStatus
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.command = command;
        this.exitStatus = exitStatus;
    }

    /**
     * @return the logical command name
     */
    public String command() {
        return command;
    }

    /**
     * @return the exit status, or -1 if the process could not be started
     */
    public int exitStatus() {
        return exitStatus;
    }
}
