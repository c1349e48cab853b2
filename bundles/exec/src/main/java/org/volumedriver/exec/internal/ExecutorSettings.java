package org.volumedriver.exec.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the executor needs, as plain values: the allowlist, the concurrency bound, the queue
 * timeout, the output cap and the root-helper prefix. Built from ConfigAdmin by
 * {@link ExecutorComponent}, or directly (tests of other modules) with {@link #builder()}.
 *
 * @param commands the allowlist, by logical name, in order
 * @param maxConcurrent how many commands may run at once
 * @param queueTimeout how long a caller waits for a free slot before it is refused
 * @param outputCapBytes how many bytes of each of stdout and stderr are kept
 * @param rootHelper the prefix for privileged commands when not running as root, for example
 *        {@code [/usr/bin/sudo, -n]}; empty for none
 * @param helperTimeout the absolute path of {@code timeout(1)}, run through the root helper in front
 *        of a privileged command so that the timeout is enforced with root's right to kill; empty
 *        for none (then an unprivileged JVM cannot kill a timed-out privileged command)
 */
public record ExecutorSettings(List<CommandSpec> commands, int maxConcurrent, Duration queueTimeout,
        int outputCapBytes, List<String> rootHelper, String helperTimeout) {

    /** The logical name of the command used to wrap requests in a transient systemd scope. */
    public static final String SCOPE_COMMAND = "systemd-run";

    /** Largest accepted concurrency bound. */
    public static final int MAX_CONCURRENT_LIMIT = 256;
    /** Smallest accepted output cap. */
    public static final int MIN_OUTPUT_CAP = 1024;
    /** Largest accepted output cap (per stream). */
    public static final int MAX_OUTPUT_CAP = 64 * 1024 * 1024;

    /** A path component that is {@code .} or {@code ..}, or an empty component ({@code //}). */
    private static final String NO_DOT_COMPONENTS = "(?!.*/\\.{1,2}(?:/|$))(?!.*//)";

    /**
     * A Quobyte export after {@code quobyte://} was stripped: registries, a slash, the volume. The
     * first character can never be {@code -}.
     */
    public static final String EXPORT_PATTERN =
            "[A-Za-z0-9_\\[][A-Za-z0-9._:,\\[\\]-]{0,4200}/[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

    /** A mount directory: an absolute path without dot components ending in an md5 hex name. */
    public static final String MOUNT_DIR_PATTERN = NO_DOT_COMPONENTS + "/[A-Za-z0-9._/-]{1,3000}/[0-9a-f]{32}";

    /** An absolute path without dot components. */
    public static final String ABSOLUTE_PATH_PATTERN = NO_DOT_COMPONENTS + "/[A-Za-z0-9._/-]{1,3000}";

    /**
     * Named patterns that a form may use as a whole token: {@code {export}}, {@code {mountdir}},
     * {@code {path}}.
     */
    public static final Map<String, String> NAMED_PATTERNS = Map.of(
            "{export}", EXPORT_PATTERN,
            "{mountdir}", MOUNT_DIR_PATTERN,
            "{path}", ABSOLUTE_PATH_PATTERN);

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
     *        position (a whole-token {@code {export}}, {@code {mountdir}} or {@code {path}} stands for
     *        the named pattern); no forms means the command cannot be run directly
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
     * Copies the lists.
     *
     * @param commands the allowlist
     * @param maxConcurrent the concurrency bound
     * @param queueTimeout the queue timeout
     * @param outputCapBytes the output cap
     * @param rootHelper the root-helper prefix
     * @param helperTimeout the {@code timeout(1)} path, or empty
     */
    public ExecutorSettings {
        commands = List.copyOf(commands);
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        rootHelper = List.copyOf(rootHelper);
        Objects.requireNonNull(helperTimeout, "helperTimeout");
    }

    /** @return the secure defaults: the commands the Quobyte driver needs, nothing else */
    public static ExecutorSettings defaults() {
        return builder().build();
    }

    /** @return a builder that starts from {@link #defaults()} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the default allowlist */
    public static List<CommandSpec> defaultCommands() {
        return List.of(
                new CommandSpec("mount.quobyte", "/usr/bin/mount.quobyte", true, List.of(
                        List.of("--disable-xattrs", "{export}", "{mountdir}"),
                        List.of("--disable-xattrs", "{export}", "{mountdir}", "-c", "{path}"))),
                // the mount directory is already a verified real path; canonicalizing it again would
                // stat through a hung FUSE client and block umount(8) before it reaches the kernel
                new CommandSpec("umount", "/usr/bin/umount", true, List.of(
                        List.of("--no-canonicalize", "{mountdir}"),
                        List.of("--no-canonicalize", "-l", "{mountdir}"))),
                new CommandSpec("systemctl", "/usr/bin/systemctl", false, List.of(
                        List.of("is-system-running"))),
                new CommandSpec(SCOPE_COMMAND, "/usr/bin/systemd-run", true, List.of()));
    }

    /** A builder starting from the defaults; commands are replaced by name. */
    public static final class Builder {
        private final Map<String, CommandSpec> commands = new LinkedHashMap<>();
        private int maxConcurrent = DEFAULT_MAX_CONCURRENT;
        private Duration queueTimeout = DEFAULT_QUEUE_TIMEOUT;
        private int outputCapBytes = DEFAULT_OUTPUT_CAP;
        private List<String> rootHelper = List.of();
        private String helperTimeout = DEFAULT_HELPER_TIMEOUT;

        Builder() {
            defaultCommands().forEach(c -> commands.put(c.name(), c));
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
         * @param path the {@code systemd-run} executable used to wrap scoped requests
         * @return this builder
         */
        public Builder systemdRun(String path) {
            return executable(SCOPE_COMMAND, path);
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
            return new ExecutorSettings(new ArrayList<>(commands.values()), maxConcurrent, queueTimeout,
                    outputCapBytes, rootHelper, helperTimeout);
        }
    }
}
