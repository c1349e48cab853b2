package org.volumedriver.libvirt.internal;

import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.VolumeDriver;

/**
 * The driver whiteboard: every {@link VolumeDriver} service with a
 * {@value VolumeDriver#TYPE_PROPERTY} property, tracked dynamically and greedily so that a driver
 * bundle can come, go or be replaced (a higher ranking wins) while callers run.
 */
@Component(service = VolumeDrivers.class)
public class VolumeDriversImpl implements VolumeDrivers {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeDriversImpl.class);

    private record Entry(long serviceId, int ranking, String type, VolumeDriver driver) {
    }

    /** Highest ranking first, then the oldest service, as the framework orders services. */
    private static final Comparator<Entry> PREFERENCE = Comparator.comparingInt(Entry::ranking).reversed()
            .thenComparingLong(Entry::serviceId);

    private final Map<Long, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param driver the driver service
     * @param properties its service properties
     */
    @Reference(service = VolumeDriver.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            updated = "updatedDriver", unbind = "removeDriver")
    public void addDriver(VolumeDriver driver, Map<String, Object> properties) {
        Optional<Entry> entry = entry(driver, properties);
        if (entry.isPresent()) {
            entries.put(entry.get().serviceId(), entry.get());
            LOG.info("volume driver for type {} registered (service {})", entry.get().type(), entry.get().serviceId());
        }
    }

    /**
     * @param driver the driver service
     * @param properties its new service properties
     */
    public void updatedDriver(VolumeDriver driver, Map<String, Object> properties) {
        entries.remove(serviceId(properties));
        addDriver(driver, properties);
    }

    /**
     * @param driver the driver service
     * @param properties its service properties
     */
    public void removeDriver(VolumeDriver driver, Map<String, Object> properties) {
        Entry removed = entries.remove(serviceId(properties));
        if (removed != null) {
            LOG.info("volume driver for type {} unregistered (service {})", removed.type(), removed.serviceId());
        }
    }

    private static Optional<Entry> entry(VolumeDriver driver, Map<String, Object> properties) {
        Object type = properties.get(VolumeDriver.TYPE_PROPERTY);
        if (!(type instanceof String text) || text.isBlank()) {
            LOG.warn("volume driver service {} ignored: its {} property is missing or not a string",
                    serviceId(properties), VolumeDriver.TYPE_PROPERTY);
            return Optional.empty();
        }
        Object ranking = properties.get(Constants.SERVICE_RANKING);
        return Optional.of(new Entry(serviceId(properties), ranking instanceof Integer r ? r : 0, text, driver));
    }

    private static long serviceId(Map<String, Object> properties) {
        Object id = properties.get(Constants.SERVICE_ID);
        return id instanceof Long l ? l : -1L;
    }

    @Override
    public VolumeDriver driver(String type) throws UnknownDriverException {
        return entries.values().stream()
                .filter(e -> e.type().equals(type))
                .min(PREFERENCE)
                .map(Entry::driver)
                .orElseThrow(() -> {
                    SortedSet<String> available = types();
                    LOG.debug("no volume driver for type {}; available {}", Redactor.quote(type), available);
                    return new UnknownDriverException(type, available);
                });
    }

    @Override
    public SortedSet<String> types() {
        TreeSet<String> types = new TreeSet<>();
        entries.values().forEach(e -> types.add(e.type()));
        return Collections.unmodifiableSortedSet(types);
    }
}
