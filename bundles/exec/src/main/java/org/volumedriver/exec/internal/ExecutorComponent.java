package org.volumedriver.exec.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.spi.CommandFailedException;
import org.volumedriver.spi.CommandRejectedException;
import org.volumedriver.spi.ExecutorSaturatedException;
import org.volumedriver.spi.InvalidConfigurationException;

/**
 * The {@link CommandExecutor} service, configured from ConfigAdmin PID {@value #PID}. A changed
 * configuration is applied live by {@link #modified}; a malformed one is refused with a log line and
 * the previous one keeps running.
 */
@Component(service = CommandExecutor.class, configurationPid = ExecutorComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ExecutorComponent.Config.class)
public final class ExecutorComponent implements CommandExecutor {

    /** The configuration PID. */
    public static final String PID = "org.volumedriver.exec";

    /** Separates argument forms inside one {@code command.<name>.forms} value. */
    public static final String FORM_SEPARATOR = ";;";

    /** A whole form that stands for "no arguments". */
    public static final String NO_ARGUMENTS = "{noargs}";

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorComponent.class);

    /** Typed configuration; every key with its default is listed in the bundle's README. */
    @ObjectClassDefinition(name = "Volume driver command executor",
            description = "Allowlisted commands, their argument forms, and the limits of the executor.")
    public @interface Config {

        /** @return the logical names of the allowlisted commands */
        @AttributeDefinition(description = "Logical names of the allowlisted commands. For each name: "
                + "command.<name>.executable, command.<name>.privileged, command.<name>.forms.")
        String[] commands() default { "mount.quobyte", "umount", "systemctl", "systemd-run" };

        /** @return how many commands may run at once */
        @AttributeDefinition(min = "1", max = "256", description = "How many commands may run at once.")
        int max_concurrent() default ExecutorSettings.DEFAULT_MAX_CONCURRENT;

        /** @return how long a caller waits for a free slot, in milliseconds */
        @AttributeDefinition(min = "0", description = "How long a caller waits for a free command slot (ms).")
        long queue_timeout_ms() default 10_000;

        /** @return bytes kept of each of stdout and stderr */
        @AttributeDefinition(min = "1024", description = "Bytes kept of each of stdout and stderr.")
        int output_cap_bytes() default ExecutorSettings.DEFAULT_OUTPUT_CAP;

        /** @return the root-helper prefix, whitespace-separated; empty for none */
        @AttributeDefinition(required = false, description = "Prefix for privileged commands when not running "
                + "as root, whitespace-separated, for example '/usr/bin/sudo -n'. Empty: none.")
        String root_helper() default "";

        /** @return timeout(1) run through the root helper */
        @AttributeDefinition(required = false, description = "Absolute path of timeout(1), run through the root helper in "
                + "front of each privileged command, so that a timed-out command is killed with root's rights (the "
                + "unprivileged JVM cannot kill it). Empty: none.")
        String root_helper_timeout() default ExecutorSettings.DEFAULT_HELPER_TIMEOUT;

        /** @return the mount.quobyte executable */
        @AttributeDefinition(description = "Absolute path of mount.quobyte.")
        String command_mount_quobyte_executable() default "/usr/bin/mount.quobyte";

        /** @return whether mount.quobyte is privileged */
        @AttributeDefinition(description = "Whether mount.quobyte gets the root-helper prefix.")
        boolean command_mount_quobyte_privileged() default true;

        /** @return the argument forms of mount.quobyte */
        @AttributeDefinition(description = "Argument forms of mount.quobyte: whitespace-separated anchored "
                + "patterns, forms separated by ';;'.")
        String command_mount_quobyte_forms() default "--disable-xattrs {export} {mountdir} ;; "
                + "--disable-xattrs {export} {mountdir} -c {path}";

        /** @return the umount executable */
        @AttributeDefinition(description = "Absolute path of umount.")
        String command_umount_executable() default "/usr/bin/umount";

        /** @return whether umount is privileged */
        @AttributeDefinition(description = "Whether umount gets the root-helper prefix.")
        boolean command_umount_privileged() default true;

        /** @return the argument forms of umount */
        @AttributeDefinition(description = "Argument forms of umount.")
        String command_umount_forms() default "--no-canonicalize {mountdir} ;; --no-canonicalize -l {mountdir}";

        /** @return the systemctl executable */
        @AttributeDefinition(description = "Absolute path of systemctl.")
        String command_systemctl_executable() default "/usr/bin/systemctl";

        /** @return whether systemctl is privileged */
        @AttributeDefinition(description = "Whether systemctl gets the root-helper prefix.")
        boolean command_systemctl_privileged() default false;

        /** @return the argument forms of systemctl */
        @AttributeDefinition(description = "Argument forms of systemctl.")
        String command_systemctl_forms() default "is-system-running";

        /** @return the systemd-run executable */
        @AttributeDefinition(description = "Absolute path of systemd-run, used only to wrap commands in a scope.")
        String command_systemd$_$run_executable() default "/usr/bin/systemd-run";

        /** @return whether systemd-run is privileged */
        @AttributeDefinition(description = "Whether systemd-run gets the root-helper prefix.")
        boolean command_systemd$_$run_privileged() default true;

        /** @return the argument forms of systemd-run (none: it is only a scope wrapper) */
        @AttributeDefinition(required = false, description = "Argument forms of systemd-run; empty: "
                + "it can only wrap other commands.")
        String command_systemd$_$run_forms() default "";
    }

    private volatile ProcessCommandExecutor executor;

    /**
     * Starts with the given configuration; a malformed one fails the activation (and says why).
     *
     * @param config the typed configuration
     * @param properties the raw properties, for commands beyond the default four
     * @throws InvalidConfigurationException if the configuration is malformed
     */
    @Activate
    public void activate(Config config, Map<String, Object> properties) throws InvalidConfigurationException {
        try {
            executor = new ProcessCommandExecutor(toSettings(config, properties));
        } catch (InvalidConfigurationException e) {
            LOG.error("executor configuration refused, the executor does not start: {}", e.getMessage());
            throw e;
        }
        LOG.info("executor started with {} commands", executor.allowlist().size());
    }

    /**
     * Applies a changed configuration live; a malformed one is refused and the previous one stays.
     *
     * @param config the typed configuration
     * @param properties the raw properties
     */
    @Modified
    public void modified(Config config, Map<String, Object> properties) {
        try {
            executor.reconfigure(toSettings(config, properties));
            LOG.info("executor configuration updated: {} commands", executor.allowlist().size());
        } catch (InvalidConfigurationException e) {
            LOG.error("executor configuration refused, the previous one stays in force: {}", e.getMessage());
        }
    }

    /** Stops the threads that feed stdin. */
    @Deactivate
    public void deactivate() {
        ProcessCommandExecutor current = executor;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public CommandResult run(CommandRequest request)
            throws CommandRejectedException, ExecutorSaturatedException, CommandFailedException {
        return executor.run(request);
    }

    @Override
    public List<CommandDefinition> allowlist() {
        return executor.allowlist();
    }

    @Override
    public Map<String, CommandStatistics> statistics() {
        return executor.statistics();
    }

    /** @return the settings in force */
    ExecutorSettings settings() {
        return executor.settings();
    }

    /**
     * Translates the configuration.
     *
     * @param config the typed configuration (the four default commands)
     * @param properties the raw properties (any further command)
     * @return the settings
     * @throws InvalidConfigurationException if a value is malformed
     */
    static ExecutorSettings toSettings(Config config, Map<String, Object> properties)
            throws InvalidConfigurationException {
        List<ExecutorSettings.CommandSpec> commands = new ArrayList<>();
        for (String name : commandNames(config.commands())) {
            String executable;
            boolean privileged;
            String forms;
            switch (name) {
                case "mount.quobyte" -> {
                    executable = config.command_mount_quobyte_executable();
                    privileged = config.command_mount_quobyte_privileged();
                    forms = config.command_mount_quobyte_forms();
                }
                case "umount" -> {
                    executable = config.command_umount_executable();
                    privileged = config.command_umount_privileged();
                    forms = config.command_umount_forms();
                }
                case "systemctl" -> {
                    executable = config.command_systemctl_executable();
                    privileged = config.command_systemctl_privileged();
                    forms = config.command_systemctl_forms();
                }
                case ExecutorSettings.SCOPE_COMMAND -> {
                    executable = config.command_systemd$_$run_executable();
                    privileged = config.command_systemd$_$run_privileged();
                    forms = config.command_systemd$_$run_forms();
                }
                default -> {
                    String prefix = "command." + name + ".";
                    executable = string(properties.get(prefix + "executable"));
                    if (executable == null || executable.isBlank()) {
                        throw new InvalidConfigurationException(prefix + "executable", "is missing");
                    }
                    privileged = bool(prefix + "privileged", properties.get(prefix + "privileged"));
                    forms = string(properties.get(prefix + "forms"));
                }
            }
            if (executable == null) {
                throw new InvalidConfigurationException("command." + name + ".executable", "is missing");
            }
            commands.add(new ExecutorSettings.CommandSpec(name, executable.trim(), privileged, parseForms(forms)));
        }
        String helper = config.root_helper() == null ? "" : config.root_helper().trim();
        List<String> rootHelper = helper.isEmpty() ? List.of() : Arrays.asList(helper.split("\\s+"));
        if (config.queue_timeout_ms() < 0) {
            throw new InvalidConfigurationException("queue.timeout.ms", "must not be negative");
        }
        String helperTimeout = config.root_helper_timeout() == null ? "" : config.root_helper_timeout().trim();
        return new ExecutorSettings(commands, config.max_concurrent(), Duration.ofMillis(config.queue_timeout_ms()),
                config.output_cap_bytes(), rootHelper, helperTimeout);
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
    static List<String> commandNames(String[] values) {
        List<String> names = new ArrayList<>();
        if (values != null) {
            for (String value : values) {
                for (String part : value.split(",")) {
                    String name = part.trim();
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

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
}
