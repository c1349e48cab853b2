package org.volumedriver.exec;

import java.time.Duration;
import java.util.List;

import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.CommandTimedOutException;

/**
 * The outcome of a process that ran.
 *
 * @param command the logical command name
 * @param argv the full argv as run (including any root-helper and scope prefix), redacted
 * @param exitStatus the exit status; when killed by a signal, 128 plus the signal number
 * @param stdout standard output, decoded as UTF-8 and capped
 * @param stderr standard error, decoded as UTF-8 and capped
 * @param outputTruncated whether either stream exceeded the cap
 * @param duration the wall-clock time from start to exit
 * @param timedOut whether the timeout expired and the process tree was killed
 */
public record CommandResult(String command, List<String> argv, int exitStatus, String stdout, String stderr,
        boolean outputTruncated, Duration duration, boolean timedOut) {

    /**
     * Copies the argv.
     *
     * @param command the logical command name
     * @param argv the redacted argv
     * @param exitStatus the exit status
     * @param stdout standard output
     * @param stderr standard error
     * @param outputTruncated whether output was cut
     * @param duration the duration
     * @param timedOut whether it timed out
     */
    public CommandResult {
        argv = List.copyOf(argv);
    }

    /** @return whether the process exited with status 0 before its timeout */
    public boolean succeeded() {
        return !timedOut && exitStatus == 0;
    }

    /**
     * @param timeout the timeout the request had, for the exception
     * @return this result if it succeeded
     * @throws CommandTimedOutException if the command timed out
     * @throws CommandFailedException if it exited with a status other than 0
     */
    public CommandResult requireSuccess(Duration timeout) throws CommandTimedOutException, CommandFailedException {
        if (timedOut) {
            throw new CommandTimedOutException(command, timeout);
        }
        if (exitStatus != 0) {
            throw new CommandFailedException(command, exitStatus, null);
        }
        return this;
    }
}
