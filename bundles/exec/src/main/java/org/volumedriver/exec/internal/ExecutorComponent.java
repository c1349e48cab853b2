package org.volumedriver.exec.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
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

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@link CommandExecutor} service, configured from ConfigAdmin PID {@value #PID}; the properties
 * are read by {@link ExecutorSettings#fromProperties(Map)}. Without configuration the allowlist is
 * empty. A changed configuration is applied live by {@link #modified}; a malformed one is refused
 * with a log line and the previous one keeps running. Event Admin and the MeterRegistry are optional
 * and dynamic: they may arrive, leave or be replaced while commands run, without restarting the
 * component ({@link Telemetry}).
 */
@Component(service = CommandExecutor.class, configurationPid = ExecutorComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ExecutorComponent.Config.class)
public final class ExecutorComponent implements CommandExecutor {

    /** The configuration PID. */
    public static final String PID = "org.volumedriver.exec";

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorComponent.class);

    /**
     * The keys with a fixed name, described for administration tools; every key is listed in the
     * bundle's README. The per-command keys {@code command.<name>.*} and {@code pattern.<name>}
     * depend on the names configured, so they are described here only in words.
     */
    @ObjectClassDefinition(name = "Volume driver command executor",
            description = "Allowlisted commands, their argument forms, and the limits of the executor.")
    public @interface Config {

        /** @return the logical names of the allowlisted commands */
        @AttributeDefinition(required = false, description = "Logical names of the allowlisted commands; none "
                + "refuses every command. For each name: command.<name>.executable (absolute path), "
                + "command.<name>.privileged (true/false), command.<name>.forms (whitespace-separated anchored "
                + "patterns, forms separated by ';;'). A form token {x} stands for the pattern configured as "
                + "pattern.x = <regex>; {path} is built in.")
        String[] commands() default {};

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
    }

    private final Telemetry telemetry = new Telemetry();
    private volatile ProcessCommandExecutor executor;

    /**
     * Starts with the given configuration; a malformed one fails the activation (and says why).
     *
     * @param properties the configuration properties (none: an empty allowlist)
     * @throws InvalidConfigurationException if the configuration is malformed
     */
    @Activate
    public void activate(Map<String, Object> properties) throws InvalidConfigurationException {
        try {
            executor = new ProcessCommandExecutor(ExecutorSettings.fromProperties(properties),
                    ExecutableCheck.effectiveUid(), telemetry);
        } catch (InvalidConfigurationException e) {
            LOG.error("executor configuration refused, the executor does not start: {}", e.getMessage());
            throw e;
        }
        logAllowlistSize("executor started with {} commands");
    }

    /**
     * Applies a changed configuration live; a malformed one is refused and the previous one stays.
     *
     * @param properties the configuration properties
     */
    @Modified
    public void modified(Map<String, Object> properties) {
        try {
            executor.reconfigure(ExecutorSettings.fromProperties(properties));
            logAllowlistSize("executor configuration updated: {} commands");
        } catch (InvalidConfigurationException e) {
            LOG.error("executor configuration refused, the previous one stays in force: {}", e.getMessage());
        }
    }

    private void logAllowlistSize(String message) {
        int size = executor.allowlist().size();
        LOG.info(message, size);
        if (size == 0) {
            LOG.warn("the executor allowlist is empty: every command is refused (configure PID {})", PID);
        }
    }

    /** @param eventAdmin where the executor's events go from now on */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindEventAdmin(EventAdmin eventAdmin) {
        telemetry.bindEventAdmin(eventAdmin);
    }

    void unbindEventAdmin(EventAdmin eventAdmin) {
        telemetry.unbindEventAdmin(eventAdmin);
    }

    /** @param meterRegistry where the executor's counters and timers go from now on */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMeterRegistry(MeterRegistry meterRegistry) {
        telemetry.bindMeterRegistry(meterRegistry);
    }

    void unbindMeterRegistry(MeterRegistry meterRegistry) {
        telemetry.unbindMeterRegistry(meterRegistry);
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
}
