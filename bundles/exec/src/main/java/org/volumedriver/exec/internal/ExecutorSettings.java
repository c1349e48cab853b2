package org.volumedriver.exec.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.volumedriver.spi.InvalidConfigurationException;

/**
 * Everything the executor needs, as plain values: the allowlist, the named patterns its forms may
 * use, the concurrency bound, the queue timeout, the output cap and the root-helper prefix. Read
 * from ConfigAdmin properties by {@link #fromProperties(Map)}, or built directly (tests of other
 * modules) with {@link #builder()}. There are no built-in commands: without configuration the
 * allowlist is empty and every request is refused.
 *
 * @param commands the allowlist, by logical name, in order
 * @param patterns named patterns by name (without braces): a form token {@code {name}} stands for
 *        the regular expression; {@value #PATH_PATTERN_NAME} is built in
 * @param maxConcurrent how many commands may run at once
 * @param queueTimeout how long a caller waits for a free slot before it is refused
 * @param outputCapBytes how many bytes of each of stdout and stderr are kept
 * @param rootHelper the prefix for privileged commands when not running as root, for example
 *        {@code [/usr/bin/sudo, -n]}; empty for none
 * @param helperTimeout the absolute path of {@code timeout(1)}, run through the root helper in front
 *        of a privileged command so that the timeout is enforced with root's right to kill; empty
 *        for none (then an unprivileged JVM cannot kill a timed-out privileged command)
 */
public record ExecutorSettings(List<CommandSpec> commands, Map<String, String> patterns, int maxConcurrent,
        Duration queueTimeout, int outputCapBytes, List<String> rootHelper, String helperTimeout) {

    /** The logical name of the command used to wrap requests in a transient systemd scope. */
    public static final String SCOPE_COMMAND = "systemd-run";

    /** Largest accepted concurrency bound. */
    public static final int MAX_CONCURRENT_LIMIT = 256;
    /** Smallest accepted output cap. */
    public static final int MIN_OUTPUT_CAP = 1024;
    /** Largest accepted output cap (per stream). */
    public static final int MAX_OUTPUT_CAP = 64 * 1024 * 1024;

    /** A path component that is {@code .} or {@code ..}, or an empty component ({@code //}). */
    public static final String NO_DOT_COMPONENTS = "(?!.*/\\.{1,2}(?:/|$))(?!.*//)";

    /** An absolute path without dot components. */
    public static final String ABSOLUTE_PATH_PATTERN = NO_DOT_COMPONENTS + "/[A-Za-z0-9._/-]{1,3000}";

    /** The name of the built-in pattern {@link #ABSOLUTE_PATH_PATTERN}, used in forms as {@code {path}}. */
    public static final String PATH_PATTERN_NAME = "path";

    /** Default concurrency bound. */
    public static final int DEFAULT_MAX_CONCURRENT = 8;
    /** Default queue timeout. */
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(10);
    /** Default output cap per stream. */
    public static final int DEFAULT_OUTPUT_CAP = 64 * 1024;
    /** Default {@code timeout(1)} run through the root helper. */
    public static final String DEFAULT_HELPER_TIMEOUT = "/usr/bin/timeout";

    /**
     * One allowlisted command.
     *
     * @param name the logical name callers use
     * @param executable the absolute path of the executable
     * @param privileged whether the root-helper prefix applies
     * @param forms the allowed argument forms: each a list of anchored regular expressions, one per
     *        position (a whole token {@code {name}} stands for the named pattern); no forms means
     *        the command cannot be run directly
     */
    public record CommandSpec(String name, String executable, boolean privileged, List<List<String>> forms) {

        /**
         * Copies the forms.
         *
         * @param name the logical name
         * @param executable the executable
         * @param privileged whether privileged
         * @param forms the forms
         */
        public CommandSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(executable, "executable");
            forms = forms.stream().map(List::copyOf).toList();
        }
    }

    /**
     * Copies the lists and the patterns (keeping their order).
     *
     * @param commands the allowlist
     * @param patterns the named patterns
     * @param maxConcurrent the concurrency bound
     * @param queueTimeout the queue timeout
     * @param outputCapBytes the output cap
     * @param rootHelper the root-helper prefix
     * @param helperTimeout the {@code timeout(1)} path, or empty
     */
    public ExecutorSettings {
        commands = List.copyOf(commands);
        patterns = Collections.unmodifiableMap(new LinkedHashMap<>(patterns));
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        rootHelper = List.copyOf(rootHelper);
        Objects.requireNonNull(helperTimeout, "helperTimeout");
    }

    /** @return the settings of an unconfigured executor: an empty allowlist and the default limits */
    public static ExecutorSettings defaults() {
        return builder().build();
    }

    /** @return a builder with an empty allowlist, no named patterns and the default limits */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from these settings */
    public Builder toBuilder() {
        Builder b = new Builder();
        commands.forEach(c -> b.commands.put(c.name(), c));
        b.patterns.putAll(patterns);
        b.maxConcurrent = maxConcurrent;
        b.queueTimeout = queueTimeout;
        b.outputCapBytes = outputCapBytes;
        b.rootHelper = rootHelper;
        b.helperTimeout = helperTimeout;
        return b;
    }

    /**
     * Reads the configuration properties of PID {@code org.volumedriver.exec} (the keys are listed
     * in the bundle's README). Only the syntax is checked here; the values are validated when an
     * executor compiles them.
     *
     * @param properties the properties, as ConfigAdmin or a {@code .cfg} file hands them over
     * @return the settings
     * @throws InvalidConfigurationException if a value cannot be read (a missing executable, a
     *         number or boolean that is none)
     */
    public static ExecutorSettings fromProperties(Map<String, ?> properties) throws InvalidConfigurationException {
        return SettingsParser.parse(properties);
    }

    /** A builder; commands and patterns are replaced by name. */
    public static final class Builder {
        private final Map<String, CommandSpec> commands = new LinkedHashMap<>();
        private final Map<String, String> patterns = new LinkedHashMap<>();
        private int maxConcurrent = DEFAULT_MAX_CONCURRENT;
        private Duration queueTimeout = DEFAULT_QUEUE_TIMEOUT;
        private int outputCapBytes = DEFAULT_OUTPUT_CAP;
        private List<String> rootHelper = List.of();
        private String helperTimeout = DEFAULT_HELPER_TIMEOUT;

        Builder() {
        }

        /**
         * Adds or replaces a command.
         *
         * @param name the logical name
         * @param executable the absolute executable
         * @param privileged whether privileged
         * @param forms the argument forms
         * @return this builder
         */
        public Builder command(String name, String executable, boolean privileged, List<List<String>> forms) {
            commands.put(name, new CommandSpec(name, executable, privileged, forms));
            return this;
        }

        /**
         * Changes only the executable of a command that is already in the list.
         *
         * @param name the logical name
         * @param executable the new absolute executable
         * @return this builder
         */
        public Builder executable(String name, String executable) {
            CommandSpec old = commands.get(name);
            if (old == null) {
                throw new IllegalArgumentException("no command " + name);
            }
            commands.put(name, new CommandSpec(name, executable, old.privileged(), old.forms()));
            return this;
        }

        /**
         * @param path the {@code systemd-run} executable used to wrap scoped requests (the
         *        {@value ExecutorSettings#SCOPE_COMMAND} command must be in the list)
         * @return this builder
         */
        public Builder systemdRun(String path) {
            return executable(SCOPE_COMMAND, path);
        }

        /**
         * Adds or replaces a named pattern, usable in forms as the whole token {@code {name}}.
         *
         * @param name the name, without braces
         * @param regex the regular expression
         * @return this builder
         */
        public Builder pattern(String name, String regex) {
            patterns.put(name, regex);
            return this;
        }

        /**
         * @param name the logical name to drop
         * @return this builder
         */
        public Builder remove(String name) {
            commands.remove(name);
            return this;
        }

        /** @return this builder, with an empty allowlist */
        public Builder clearCommands() {
            commands.clear();
            return this;
        }

        /**
         * @param value the concurrency bound
         * @return this builder
         */
        public Builder maxConcurrent(int value) {
            maxConcurrent = value;
            return this;
        }

        /**
         * @param value the queue timeout
         * @return this builder
         */
        public Builder queueTimeout(Duration value) {
            queueTimeout = value;
            return this;
        }

        /**
         * @param value the output cap per stream, in bytes
         * @return this builder
         */
        public Builder outputCapBytes(int value) {
            outputCapBytes = value;
            return this;
        }

        /**
         * @param argv the root-helper prefix, for example {@code "/usr/bin/sudo", "-n"}
         * @return this builder
         */
        public Builder rootHelper(String... argv) {
            rootHelper = List.of(argv);
            return this;
        }

        /**
         * @param path the absolute path of {@code timeout(1)} run through the root helper; empty for none
         * @return this builder
         */
        public Builder helperTimeout(String path) {
            helperTimeout = path;
            return this;
        }

        /** @return the settings */
        public ExecutorSettings build() {
            return new ExecutorSettings(new ArrayList<>(commands.values()), patterns, maxConcurrent, queueTimeout,
                    outputCapBytes, rootHelper, helperTimeout);
        }
    }
}
