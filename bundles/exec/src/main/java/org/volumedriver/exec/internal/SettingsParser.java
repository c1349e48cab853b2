package org.volumedriver.exec.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.volumedriver.spi.InvalidConfigurationException;

/**
 * Reads the executor's configuration properties into {@link ExecutorSettings}: the same reading for
 * every command name, no name is special. Values may arrive typed (ConfigAdmin, the console) or as
 * strings (a {@code .cfg} file).
 */
final class SettingsParser {

    /** The logical names of the allowlisted commands. */
    static final String COMMANDS = "commands";
    /** Prefix of the keys of one command: {@code command.<name>.executable|privileged|forms}. */
    static final String COMMAND_PREFIX = "command.";
    /** Prefix of a named pattern: {@code pattern.<name> = <regex>}. */
    static final String PATTERN_PREFIX = "pattern.";
    static final String MAX_CONCURRENT = "max.concurrent";
    static final String QUEUE_TIMEOUT_MS = "queue.timeout.ms";
    static final String OUTPUT_CAP_BYTES = "output.cap.bytes";
    static final String ROOT_HELPER = "root.helper";
    static final String ROOT_HELPER_TIMEOUT = "root.helper.timeout";

    /** Separates argument forms inside one {@code command.<name>.forms} value. */
    static final String FORM_SEPARATOR = ";;";
    /** A whole form that stands for "no arguments". */
    static final String NO_ARGUMENTS = "{noargs}";

    private SettingsParser() {
    }

    static ExecutorSettings parse(Map<String, ?> properties) throws InvalidConfigurationException {
        List<ExecutorSettings.CommandSpec> commands = new ArrayList<>();
        for (String name : commandNames(properties.get(COMMANDS))) {
            String prefix = COMMAND_PREFIX + name + ".";
            String executable = string(properties.get(prefix + "executable"));
            if (executable == null || executable.isBlank()) {
                throw new InvalidConfigurationException(prefix + "executable", "is missing");
            }
            boolean privileged = bool(prefix + "privileged", properties.get(prefix + "privileged"));
            List<List<String>> forms = parseForms(string(properties.get(prefix + "forms")));
            commands.add(new ExecutorSettings.CommandSpec(name, executable.trim(), privileged, forms));
        }
        // sorted, so that the same properties in any order give equal settings
        Map<String, String> patterns = new TreeMap<>();
        for (Map.Entry<String, ?> e : properties.entrySet()) {
            if (e.getKey().startsWith(PATTERN_PREFIX)) {
                String regex = string(e.getValue());
                patterns.put(e.getKey().substring(PATTERN_PREFIX.length()), regex == null ? "" : regex.trim());
            }
        }
        long queueTimeout = number(QUEUE_TIMEOUT_MS, properties.get(QUEUE_TIMEOUT_MS),
                ExecutorSettings.DEFAULT_QUEUE_TIMEOUT.toMillis(), Long.MAX_VALUE);
        if (queueTimeout < 0) {
            throw new InvalidConfigurationException(QUEUE_TIMEOUT_MS, "must not be negative");
        }
        String helper = text(properties.get(ROOT_HELPER), "");
        List<String> rootHelper = helper.isEmpty() ? List.of() : List.of(helper.split("\\s+"));
        return new ExecutorSettings(commands, patterns,
                (int) number(MAX_CONCURRENT, properties.get(MAX_CONCURRENT), ExecutorSettings.DEFAULT_MAX_CONCURRENT,
                        Integer.MAX_VALUE),
                Duration.ofMillis(queueTimeout),
                (int) number(OUTPUT_CAP_BYTES, properties.get(OUTPUT_CAP_BYTES), ExecutorSettings.DEFAULT_OUTPUT_CAP,
                        Integer.MAX_VALUE),
                rootHelper,
                text(properties.get(ROOT_HELPER_TIMEOUT), ExecutorSettings.DEFAULT_HELPER_TIMEOUT));
    }

    /**
     * Parses forms: whitespace-separated patterns, forms separated by a {@value #FORM_SEPARATOR}
     * token; a form that is exactly {@value #NO_ARGUMENTS} takes no arguments; empty text means no
     * forms at all.
     *
     * @param text the configured value, possibly {@code null}
     * @return the forms
     */
    static List<List<String>> parseForms(String text) {
        List<List<String>> forms = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return forms;
        }
        List<String> current = new ArrayList<>();
        for (String token : text.trim().split("\\s+")) {
            if (token.equals(FORM_SEPARATOR)) {
                addForm(forms, current);
                current = new ArrayList<>();
            } else {
                current.add(token);
            }
        }
        addForm(forms, current);
        return forms;
    }

    private static void addForm(List<List<String>> forms, List<String> form) {
        if (form.size() == 1 && form.get(0).equals(NO_ARGUMENTS)) {
            forms.add(List.of());
        } else if (!form.isEmpty()) {
            forms.add(List.copyOf(form));
        }
    }

    /**
     * A {@code .cfg} file hands a list over as one string ({@code commands = a, b}); the console and
     * {@code .config} files hand over an array. Both mean the same list.
     */
    static List<String> commandNames(Object value) {
        List<String> values = new ArrayList<>();
        if (value instanceof String[] array) {
            values.addAll(List.of(array));
        } else if (value instanceof Collection<?> collection) {
            collection.forEach(v -> values.add(String.valueOf(v)));
        } else if (value != null) {
            values.add(String.valueOf(value));
        }
        List<String> names = new ArrayList<>();
        for (String v : values) {
            for (String part : v.split(",")) {
                String name = part.trim();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** A list of forms may come as an array or a collection: one form per element. */
    private static String string(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String[] array) {
            return String.join(" " + FORM_SEPARATOR + " ", array);
        }
        if (value instanceof Collection<?> collection) {
            return String.join(" " + FORM_SEPARATOR + " ", collection.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }

    private static String text(Object value, String absent) {
        return value == null ? absent : String.valueOf(value).trim();
    }

    private static boolean bool(String key, Object value) throws InvalidConfigurationException {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = String.valueOf(value).trim();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new InvalidConfigurationException(key, "must be true or false");
    }

    /** A whole number; its bounds are checked when the settings are compiled. */
    private static long number(String key, Object value, long absent, long max) throws InvalidConfigurationException {
        if (value == null) {
            return absent;
        }
        long n;
        try {
            n = Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException(key, "must be a whole number");
        }
        if (n > max || n < -max - 1) {
            throw new InvalidConfigurationException(key, "is out of range");
        }
        return n;
    }
}
