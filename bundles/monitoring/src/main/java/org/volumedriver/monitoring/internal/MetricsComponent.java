package org.volumedriver.monitoring.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;

import javax.servlet.Servlet;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.VolumeDriver;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Registers the one {@link MeterRegistry} service of the framework (a Prometheus registry that
 * every producer records into) and the metrics servlet on the HTTP whiteboard, configured by PID
 * {@value MonitoringSettings#PID}. A changed configuration applies live; a refused one is logged and
 * the previous one stays (at activation: the registry runs, the servlet is not registered).
 */
@Component(service = {}, immediate = true, configurationPid = MonitoringSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = MetricsComponent.Config.class)
public final class MetricsComponent {

    /** The property of the registry service that says what it exposes. */
    static final String REGISTRY_PROPERTY = "volumedriver.registry";
    /** The whiteboard name of the servlet. */
    static final String SERVLET_NAME = "volumedriver-metrics";

    private static final Logger LOG = LoggerFactory.getLogger(MetricsComponent.class);

    /** The keys, described for administration tools; {@link MonitoringSettings} reads them. */
    @ObjectClassDefinition(name = "Volume driver monitoring",
            description = "The Prometheus metrics servlet and the mounts answers it serves.")
    public @interface Config {

        /** @return whether the servlet is registered */
        @AttributeDefinition(description = "Serve the metrics over the Karaf HTTP service.")
        boolean metrics_enabled() default true;

        /** @return the servlet path */
        @AttributeDefinition(description = "Path of the metrics servlet, for example /metrics.")
        String metrics_path() default MonitoringSettings.DEFAULT_PATH;

        /** @return the cache period of the mounts answers, in seconds */
        @AttributeDefinition(min = "0", max = "3600", description = "A driver's mounts() (which may probe every mount) "
                + "is asked at most once per this many seconds.")
        long metrics_mounts_cache_seconds() default MonitoringSettings.DEFAULT_MOUNTS_CACHE_SECONDS;

        /** @return the longest a scrape waits for a mounts answer, in milliseconds */
        @AttributeDefinition(min = "0", max = "60000", description = "The longest a scrape waits for a mounts() answer "
                + "(ms); then it serves the last one.")
        long metrics_mounts_timeout_millis() default MonitoringSettings.DEFAULT_MOUNTS_TIMEOUT_MILLIS;
    }

    private final BoundDrivers drivers = new BoundDrivers();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CommandExecutor executor;

    private BundleContext context;
    private volatile MonitoringSettings settings;
    private PrometheusMeterRegistry registry;
    private MountSnapshots snapshots;
    private DriverMeters driverMeters;
    private ExecutorMeters executorMeters;
    private MetricsEndpoint endpoint;
    private ServiceRegistration<MeterRegistry> registryRegistration;
    private ServiceRegistration<Servlet> servletRegistration;
    private String servletPath;

    /**
     * @param driver a volume driver service
     * @param properties its service properties
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDriver(VolumeDriver driver, Map<String, Object> properties) {
        drivers.add(driver, properties);
    }

    /** @param driver a volume driver service that goes away */
    void unbindDriver(VolumeDriver driver) {
        drivers.remove(driver);
    }

    @Activate
    void activate(BundleContext bundleContext, Map<String, Object> properties) {
        context = bundleContext;
        MonitoringSettings initial;
        try {
            initial = MonitoringSettings.fromProperties(properties);
        } catch (InvalidConfigurationException e) {
            LOG.error("monitoring configuration refused, metrics are not served over HTTP until it is fixed: {}", e.getMessage());
            initial = new MonitoringSettings(false, MonitoringSettings.DEFAULT_PATH, MonitoringSettings.DEFAULTS.mountsCache(),
                    MonitoringSettings.DEFAULTS.mountsTimeout());
        }
        settings = initial;
        registry = newRegistry();
        snapshots = new MountSnapshots(initial.mountsCache(), System::nanoTime);
        driverMeters = new DriverMeters(registry, snapshots);
        executorMeters = new ExecutorMeters(registry);
        endpoint = new MetricsEndpoint(registry, this::gatherValues);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(REGISTRY_PROPERTY, "prometheus");
        registryRegistration = context.registerService(MeterRegistry.class, registry, props);
        applyServlet(initial);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        MonitoringSettings changed;
        try {
            changed = MonitoringSettings.fromProperties(properties);
        } catch (InvalidConfigurationException e) {
            LOG.error("monitoring configuration refused, the previous one stays in force: {}", e.getMessage());
            return;
        }
        settings = changed;
        snapshots.cache(changed.mountsCache());
        applyServlet(changed);
    }

    @Deactivate
    void deactivate() {
        unregisterServlet();
        if (registryRegistration != null) {
            registryRegistration.unregister();
            registryRegistration = null;
        }
        driverMeters.clear();
        executorMeters.clear();
        snapshots.close();
        registry.close();
    }

    /**
     * @return the Prometheus registry with the histogram buckets of the {@code volumedriver.*}
     *         timers, configured before any meter can be registered
     */
    static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        prometheus.config().meterFilter(new TimerHistograms());
        return prometheus;
    }

    /** Before a scrape: the values of the bundle's own meters, waiting for mounts at most the configured time. */
    private void gatherValues() {
        driverMeters.refresh(drivers, snapshots.now() + settings.mountsTimeout().toNanos());
        executorMeters.refresh(executor);
    }

    private synchronized void applyServlet(MonitoringSettings wanted) {
        if (!wanted.enabled()) {
            unregisterServlet();
            return;
        }
        if (servletRegistration != null && wanted.path().equals(servletPath)) {
            return;
        }
        unregisterServlet();
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("osgi.http.whiteboard.servlet.pattern", wanted.path());
        props.put("osgi.http.whiteboard.servlet.name", SERVLET_NAME);
        servletRegistration = context.registerService(Servlet.class, new MetricsServlet(endpoint), props);
        servletPath = wanted.path();
        LOG.info("metrics served at {} on the Karaf HTTP service", wanted.path());
    }

    private synchronized void unregisterServlet() {
        if (servletRegistration != null) {
            servletRegistration.unregister();
            servletRegistration = null;
            servletPath = null;
        }
    }
}
