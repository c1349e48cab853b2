package org.volumedriver.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets wherever connection info, argv or configuration is printed or logged (A6).
 *
 * <p>A key is sensitive when its lower-cased form contains one of {@link #SENSITIVE_KEY_PARTS}. Maps
 * and lists are copied recursively with the values of sensitive keys replaced by {@link #MASK};
 * free text and argv are scanned for {@code --key value}, {@code --key=value}, {@code key=value} and
 * {@code "key": "value"} forms; exports also lose their URL user information
 * ({@link #redactExport(String)}). Nothing else is changed.
 */
public final class Redactor {

    /** What a secret is replaced with. */
    public static final String MASK = "***";

    /** Substrings that make a key sensitive, compared case-insensitively. */
    public static final List<String> SENSITIVE_KEY_PARTS = List.of(
            "password", "passwd", "secret", "token", "auth", "passphrase", "private_key",
            "private-key", "privatekey", "encrypted_key", "chap", "credential", "api_key", "apikey");

    private static final String KEY_ALTERNATION = String.join("|",
            SENSITIVE_KEY_PARTS.stream().map(Pattern::quote).toList());

    /** {@code key=value}, {@code key: value}, {@code "key": "value"} and {@code 'key': 'value'}. */
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?<![\\w.-])([\\w.-]*(?:" + KEY_ALTERNATION + ")[\\w.-]*['\"]?\\s*[=:]\\s*)"
                    + "('(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s,;})\\]]+)",
            Pattern.CASE_INSENSITIVE);

    /** {@code --key value} and {@code -key value}: option style only, so prose is left alone. */
    private static final Pattern OPTION = Pattern.compile(
            "(?<![\\w.-])(--?[\\w.-]*(?:" + KEY_ALTERNATION + ")[\\w.-]*\\s+)([^-\\s][^\\s,;})\\]]*)",
            Pattern.CASE_INSENSITIVE);

    /** A URL scheme and the {@code //} that starts an authority. */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");

    private static final int MAX_QUOTED = 80;

    private Redactor() {
    }

    /**
     * Whether a key names a secret.
     *
     * @param key a map key or option name; {@code null} is not sensitive
     * @return {@code true} if the key contains a sensitive part, in any case
     */
    public static boolean isSensitiveKey(String key) {
        if (key == null) {
            return false;
        }
        String lower = key.toLowerCase(Locale.ROOT);
        for (String part : SENSITIVE_KEY_PARTS) {
            if (lower.contains(part)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns a redacted copy of a value: maps and lists are copied recursively, the values of
     * sensitive keys masked, strings scanned with {@link #redactText(String)}; other values are
     * returned as they are.
     *
     * @param value any value, possibly {@code null}
     * @return an unmodifiable redacted copy for maps and lists, the redacted text for strings
     */
    public static Object redact(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                copy.put(key, isSensitiveKey(key) ? MASK : redact(entry.getValue()));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object element : list) {
                copy.add(redact(element));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof String text) {
            return redactText(text);
        }
        return value;
    }

    /**
     * Masks the values of sensitive {@code key=value}, {@code --key value} and JSON pairs in text.
     *
     * @param text free text, possibly {@code null}
     * @return the text with secret values replaced by {@link #MASK}
     */
    public static String redactText(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String assignments = ASSIGNMENT.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + masked(m.group(2))));
        return OPTION.matcher(assignments).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    }

    /**
     * Redacts an export (a volume's address, often a URL) for printing: URL user information is
     * masked ({@code quobyte://user:pw@host/v} becomes {@code quobyte://***@host/v}), then
     * {@link #redactText(String)} masks sensitive {@code key=value} pairs, for example in a query.
     * The user information is everything before the last {@code @} of the authority, which starts
     * after {@code scheme://} (after a leading {@code //}, or at the beginning, when there is no
     * scheme) and ends at the first
     * {@code /}, {@code ?} or {@code #}.
     *
     * @param export an export, possibly {@code null}
     * @return the redacted export, {@code null} for {@code null}
     * @since 1.3
     */
    public static String redactExport(String export) {
        if (export == null || export.isEmpty()) {
            return export;
        }
        Matcher scheme = SCHEME.matcher(export);
        int start = scheme.lookingAt() ? scheme.end() : export.startsWith("//") ? 2 : 0;
        int end = export.length();
        for (int i = start; i < export.length(); i++) {
            char c = export.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int at = export.lastIndexOf('@', end - 1);
        String masked = at >= start ? export.substring(0, start) + MASK + export.substring(at) : export;
        return redactText(masked);
    }

    private static String masked(String value) {
        char first = value.charAt(0);
        return first == '\'' || first == '"' ? first + MASK + first : MASK;
    }

    /**
     * Redacts an argument vector: the argument after a sensitive option ({@code --password x}) and
     * the value part of {@code --password=x} or {@code key=x} are masked.
     *
     * @param argv the arguments, never {@code null}
     * @return a new unmodifiable list of the same length
     */
    public static List<String> redactArgv(List<String> argv) {
        List<String> out = new ArrayList<>(argv.size());
        boolean maskNext = false;
        for (String arg : argv) {
            if (maskNext) {
                out.add(MASK);
                maskNext = false;
                continue;
            }
            if (arg == null) {
                out.add(null);
                continue;
            }
            int eq = arg.indexOf('=');
            if (eq > 0 && isSensitiveKey(arg.substring(0, eq))) {
                out.add(arg.substring(0, eq + 1) + MASK);
            } else if (arg.startsWith("-") && isSensitiveKey(arg)) {
                out.add(arg);
                maskNext = true;
            } else {
                out.add(redactText(arg));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Quotes an untrusted value for an error message: control and non-ASCII characters are escaped,
     * long values truncated, and the whole is masked if it looks like it carries a secret.
     *
     * @param value an untrusted value, possibly {@code null}
     * @return a short, printable, quoted rendering
     */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String redacted = redactText(value);
        StringBuilder out = new StringBuilder("'");
        int limit = Math.min(redacted.length(), MAX_QUOTED);
        for (int i = 0; i < limit; i++) {
            char c = redacted.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (redacted.length() > MAX_QUOTED) {
            out.append("...(").append(redacted.length()).append(" chars)");
        }
        return out.append('\'').toString();
    }
}
