package org.volumedriver.spi;

import java.time.Duration;

/**
 * Every command slot stayed busy for the whole queue timeout; nothing was spawned.
 */
public class ExecutorSaturatedException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    /**
     * @param command the logical command name
     * @param slots the configured number of concurrent commands
     * @param waited how long the caller waited for a slot
     */
    public ExecutorSaturatedException(String command, int slots, Duration waited) {
        super("EXECUTOR_SATURATED", "command " + command + " not started: all " + slots
                + " command slots stayed busy for " + waited.toMillis() + " ms");
    }
}
