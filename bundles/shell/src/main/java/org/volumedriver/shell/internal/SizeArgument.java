package org.volumedriver.shell.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size typed on the command line: a count of bytes, or a count with one binary suffix
 * {@code K}, {@code M}, {@code G} or {@code T} (powers of 1024). Nothing else is guessed: no sign,
 * no leading zero, no fraction, no space, no lower-case or two-letter unit, no zero, and nothing
 * above {@link Long#MAX_VALUE} bytes.
 */
public final class SizeArgument {

    private static final Pattern SIZE = Pattern.compile("([1-9][0-9]{0,18})([KMGT]?)");
    private static final String UNITS = "KMGT";

    private SizeArgument() {
    }

    /**
     * @param text the argument as typed
     * @return the size in bytes, at least 1
     * @throws IllegalArgumentException naming the accepted forms if the text is anything else
     */
    public static long parseBytes(String text) {
        Matcher m = text == null ? null : SIZE.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("size " + shown(text) + " is not a size; give bytes (e.g. 1073741824) or a whole number "
                    + "with one of the binary suffixes K, M, G, T (e.g. 10G = 10 x 1024^3 bytes)");
        }
        try {
            long count = Long.parseLong(m.group(1));
            int power = m.group(2).isEmpty() ? 0 : UNITS.indexOf(m.group(2)) + 1;
            return Math.multiplyExact(count, 1L << (10 * power));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("size " + shown(text) + " is larger than " + Long.MAX_VALUE + " bytes");
        }
    }

    /**
     * @param bytes a size in bytes
     * @return the bytes, and the largest binary unit that divides them, e.g. {@code 2147483648 (2 GiB)}
     */
    public static String describe(long bytes) {
        for (int power = UNITS.length(); power > 0; power--) {
            long unit = 1L << (10 * power);
            if (bytes >= unit && bytes % unit == 0) {
                return bytes + " (" + bytes / unit + " " + UNITS.charAt(power - 1) + "iB)";
            }
        }
        return Long.toString(bytes);
    }

    private static String shown(String text) {
        if (text == null) {
            return "(none)";
        }
        // typed by the administrator, but still kept to one short printable line
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return "'" + cut.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append) + "'";
    }
}
