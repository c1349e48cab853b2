package org.volumedriver.monitoring.internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import javax.management.DynamicMBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.libvirt.VolumeReconciler;
import org.volumedriver.spi.VolumeDriver;

/**
 * Keeps the bundle's MBeans registered in Karaf's {@link MBeanServer} service in step with the
 * services they show: one {@link DriverMBean} per driver type, the {@link ExecutorMBean} while an
 * executor is registered, the {@link ReconcilerMBean} while a reconciler is. Access goes through
 * Karaf's JMX guard and the ACL {@code etc/jmx.acl.org.volumedriver.cfg}.
 */
@Component(service = {}, immediate = true)
public final class JmxComponent {

    private static final Logger LOG = LoggerFactory.getLogger(JmxComponent.class);

    @Reference
    private MBeanServer server;

    private final BoundDrivers drivers = new BoundDrivers();
    private final Map<ObjectName, DynamicMBean> registered = new TreeMap<>();
    private volatile CommandExecutor executor;
    private volatile VolumeReconciler reconciler;
    private boolean active;

    /**
     * @param driver a volume driver service
     * @param properties its service properties
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindDriver(VolumeDriver driver, Map<String, Object> properties) {
        drivers.add(driver, properties);
        sync();
    }

    /** @param driver a volume driver service that goes away */
    synchronized void unbindDriver(VolumeDriver driver) {
        drivers.remove(driver);
        sync();
    }

    /** @param bound the executor */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindExecutor(CommandExecutor bound) {
        executor = bound;
        sync();
    }

    /** @param gone the executor that goes away */
    synchronized void unbindExecutor(CommandExecutor gone) {
        if (executor == gone) {
            executor = null;
            sync();
        }
    }

    /** @param bound the reconciler */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindReconciler(VolumeReconciler bound) {
        reconciler = bound;
        sync();
    }

    /** @param gone the reconciler that goes away */
    synchronized void unbindReconciler(VolumeReconciler gone) {
        if (reconciler == gone) {
            reconciler = null;
            sync();
        }
    }

    @Activate
    synchronized void activate() {
        active = true;
        sync();
    }

    @Deactivate
    synchronized void deactivate() {
        active = false;
        sync();
    }

    /** Registers what should be there and unregisters what should not. */
    private void sync() {
        Map<ObjectName, DynamicMBean> wanted = new TreeMap<>();
        if (active) {
            for (String type : drivers.types()) {
                ObjectName name = JmxNames.driver(type);
                wanted.put(name, registered.containsKey(name) ? registered.get(name) : new DriverMBean(type, drivers::driver));
            }
            ObjectName executorName = JmxNames.name(JmxNames.EXECUTOR);
            if (executor != null) {
                wanted.put(executorName, registered.containsKey(executorName) ? registered.get(executorName)
                        : new ExecutorMBean(() -> executor));
            }
            ObjectName reconcilerName = JmxNames.name(JmxNames.RECONCILER);
            if (reconciler != null) {
                wanted.put(reconcilerName, registered.containsKey(reconcilerName) ? registered.get(reconcilerName)
                        : new ReconcilerMBean(() -> reconciler));
            }
        }
        for (ObjectName name : Set.copyOf(registered.keySet())) {
            if (!wanted.containsKey(name)) {
                unregister(name);
            }
        }
        wanted.forEach((name, mbean) -> {
            if (!registered.containsKey(name)) {
                register(name, mbean);
            }
        });
    }

    private void register(ObjectName name, DynamicMBean mbean) {
        try {
            server.registerMBean(mbean, name);
            registered.put(name, mbean);
        } catch (InstanceAlreadyExistsException e) {
            LOG.warn("MBean {} is registered by someone else already; this bundle's is not", name);
        } catch (MBeanRegistrationException | NotCompliantMBeanException | RuntimeException e) {
            LOG.warn("MBean {} could not be registered: {}", name, e.toString());
        }
    }

    private void unregister(ObjectName name) {
        registered.remove(name);
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // gone already
        } catch (MBeanRegistrationException | RuntimeException e) {
            LOG.warn("MBean {} could not be unregistered: {}", name, e.toString());
        }
    }
}
