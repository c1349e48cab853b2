package org.volumedriver.shell.support;

import org.apache.karaf.shell.support.CommandException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Turns failures into the one line an administrator sees: {@code Error [<code>]: <message>}.
 *
 * <p>The line travels in a {@link CommandException}: Karaf prints its help text once, logs it at
 * debug level only and reports the command as failed, and never prints a stack trace unless the
 * session asks for stack traces.
 */
public final class ShellErrors {

    /** Code for input the shell itself refuses (missing or conflicting arguments, unreadable file). */
    public static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
    /** Code for a service the command needs that is not registered. */
    public static final String SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE";
    /** Code for an unexpected failure inside a service. */
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";

    private static final int MAX_MESSAGE = 500;

    private ShellErrors() {
    }

    /**
     * @param code a stable upper-case code
     * @param message the message; secrets are masked, line breaks flattened, length capped
     * @return {@code Error [<code>]: <message>} on one line
     */
    public static String line(String code, String message) {
        return "Error [" + code + "]: " + oneLine(message);
    }

    /**
     * @param failure what went wrong
     * @return the one line for it
     */
    public static String line(Throwable failure) {
        if (failure instanceof VolumeDriverException vde) {
            return line(vde.code(), vde.getMessage());
        }
        if (failure instanceof IllegalArgumentException) {
            return line(INVALID_ARGUMENT, failure.getMessage());
        }
        if (failure instanceof ServiceUnavailableException) {
            return line(SERVICE_UNAVAILABLE, failure.getMessage());
        }
        String message = failure.getMessage();
        return line(INTERNAL_ERROR, failure.getClass().getSimpleName()
                + (message == null || message.isBlank() ? "" : ": " + message));
    }

    /**
     * @param failure what went wrong
     * @return an exception whose help text and message are the one line; the original is kept as
     *         cause for the debug log
     */
    public static CommandException toCommandException(Throwable failure) {
        String line = line(failure);
        return new CommandException(line, line, failure);
    }

    private static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        String redacted = Redactor.redactText(message);
        StringBuilder out = new StringBuilder(Math.min(redacted.length(), MAX_MESSAGE));
        boolean lastSpace = false;
        for (int i = 0; i < redacted.length() && out.length() < MAX_MESSAGE; i++) {
            char c = redacted.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                if (!lastSpace && out.length() > 0) {
                    out.append(' ');
                }
                lastSpace = true;
            } else {
                out.append(c);
                lastSpace = false;
            }
        }
        if (redacted.length() > MAX_MESSAGE) {
            out.append("...");
        }
        return out.toString().strip();
    }
}
