package org.volumedriver.exec;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;
import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.CommandRejectedException;
import org.volumedriver.spi.ExecutorSaturatedException;

/**
 * Runs allowlisted commands.
 *
 * <p>A command is refused before anything is spawned if its logical name is not in the allowlist,
 * its executable failed its checks, or its arguments match none of its forms. Commands marked
 * privileged get the configured root-helper prefix unless the framework already runs as root.
 */
@ProviderType
public interface CommandExecutor {

    /**
     * Runs a command and waits for it, at most for its timeout.
     *
     * @param request the command, its arguments, timeout, optional stdin and optional systemd scope
     * @return the result of a process that ran: exit status, capped output, duration, and whether it
     *         timed out (then its whole process tree was killed)
     * @throws CommandRejectedException if the command or an argument is not allowed; nothing ran
     * @throws ExecutorSaturatedException if no command slot became free within the queue timeout
     * @throws CommandFailedException if the process could not be started (exit status -1)
     */
    CommandResult run(CommandRequest request)
            throws CommandRejectedException, ExecutorSaturatedException, CommandFailedException;

    /**
     * @return the allowlist in force, one entry per logical command, for administrators
     */
    List<CommandDefinition> allowlist();

    /**
     * @return counters per logical command name
     */
    Map<String, CommandStatistics> statistics();
}
