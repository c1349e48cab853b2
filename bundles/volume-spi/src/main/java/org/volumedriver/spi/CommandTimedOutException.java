package org.volumedriver.spi;

import java.time.Duration;

/**
 * A command did not finish within its timeout; its whole process tree was killed.
 */
public class CommandTimedOutException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String command;
    private final Duration timeout;

    /**
     * @param command the logical command name
     * @param timeout the timeout that expired
     */
    public CommandTimedOutException(String command, Duration timeout) {
        super("COMMAND_TIMED_OUT", "command " + command + " timed out after " + timeout.toMillis() + " ms and was killed");
        this.command = command;
        this.timeout = timeout;
    }

    /**
     * @return the logical command name
     */
    public String command() {
        return command;
    }

    /**
     * @return the timeout that expired
     */
    public Duration timeout() {
        return timeout;
    }
}
