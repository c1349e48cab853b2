package org.volumedriver.exec.internal;

/**
 * What the executor reports about each request, for events and metrics. Its methods carry the
 * command NAME only, never the argv (arguments may hold secrets). The executor depends on this
 * interface, not on Event Admin or Micrometer, so that it still runs on a plain class path
 * without them (other modules' tests); {@link Telemetry} is the implementation inside OSGi.
 */
public interface CommandTelemetry {

    /** The outcome label of a request refused before anything ran (allowlist, saturation, interrupt). */
    String REJECTED = "rejected";
    /** The outcome label of a process that exited with status 0. */
    String OK = "ok";
    /** The outcome label of a process that exited with another status, or could not start. */
    String FAILED = "failed";
    /** The outcome label of a process killed at its timeout. */
    String TIMEOUT = "timeout";

    /** Reports nothing. */
    CommandTelemetry NONE = new CommandTelemetry() {
        @Override
        public void rejected(String command) {
        }

        @Override
        public void saturated(String command, String message) {
        }

        @Override
        public void finished(String command, String outcome, long nanos) {
        }

        @Override
        public void startFailed(String command) {
        }
    };

    /**
     * A request was refused before a process was started.
     *
     * @param command an allowlisted name, or {@link ProcessCommandExecutor#UNKNOWN_COMMAND}
     */
    void rejected(String command);

    /**
     * A request was refused because every command slot stayed busy (also counted as rejected).
     *
     * @param command the allowlisted name
     * @param message one line that says why, without arguments
     */
    void saturated(String command, String message);

    /**
     * A process ran and ended.
     *
     * @param command the allowlisted name
     * @param outcome {@link #OK}, {@link #FAILED} or {@link #TIMEOUT}
     * @param nanos how long it ran
     */
    void finished(String command, String outcome, long nanos);

    /**
     * A process could not be started (counted as failed, no duration).
     *
     * @param command the allowlisted name
     */
    void startFailed(String command);
}
