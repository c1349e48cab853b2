package org.volumedriver.spi;

/**
 * A command was refused before anything was spawned: not in the allowlist, or an argument failed
 * its rule.
 */
public class CommandRejectedException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String command;

    /**
     * @param command the logical command name
     * @param reason why it was refused
     */
    public CommandRejectedException(String command, String reason) {
        super("COMMAND_REJECTED", "command " + Redactor.quote(command) + " refused: " + reason);
        this.command = command;
    }

    /**
     * @return the logical command name
     */
    public String command() {
        return command;
    }
}
