package org.volumedriver.monitoring.internal;

import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Free text for a JMX client: secrets masked (A6), line breaks and control characters flattened,
 * length capped; and the one-line form of a driver's error, as the shell prints it.
 */
final class OneLine {

    static final int MAX_LENGTH = 500;

    private OneLine() {
    }

    /**
     * @param text free text, possibly {@code null}
     * @return the text redacted, on one line, at most {@value #MAX_LENGTH} characters; {@code ""} for {@code null}
     */
    static String of(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String redacted = Redactor.redactText(text);
        StringBuilder out = new StringBuilder(Math.min(redacted.length(), MAX_LENGTH));
        boolean space = false;
        for (int i = 0; i < redacted.length() && out.length() < MAX_LENGTH; i++) {
            char c = redacted.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                space = out.length() > 0;
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * @param code a stable upper-case code
     * @param message the message
     * @return {@code Error [<code>]: <message>}, the line the shell prints for the same failure
     */
    static String error(String code, String message) {
        String line = of(message);
        return "Error [" + code + "]: " + (line.isEmpty() ? "(no message)" : line);
    }

    /**
     * @param failure a driver's typed failure
     * @return its one line
     */
    static String error(VolumeDriverException failure) {
        return error(failure.code(), failure.getMessage());
    }
}
