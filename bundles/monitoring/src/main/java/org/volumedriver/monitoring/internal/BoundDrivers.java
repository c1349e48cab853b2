package org.volumedriver.monitoring.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import org.volumedriver.spi.VolumeDriver;

/**
 * The volume-driver services a component is bound to, by type. When two services claim one type,
 * the one with the highest {@code service.ranking} (then the lowest {@code service.id}) serves it,
 * the rule of the framework and of {@link org.volumedriver.spi.VolumeDrivers}.
 */
final class BoundDrivers {

    /** One bound service with the properties that order it. */
    record Bound(VolumeDriver driver, String type, int ranking, long serviceId) {
    }

    private static final Comparator<Bound> PREFERRED = Comparator.comparingInt(Bound::ranking).reversed()
            .thenComparingLong(Bound::serviceId);

    private final List<Bound> bound = new CopyOnWriteArrayList<>();

    /**
     * @param driver a driver service
     * @param properties its service properties
     * @return the type it serves, or empty when it has no {@value VolumeDriver#TYPE_PROPERTY}
     */
    Optional<String> add(VolumeDriver driver, Map<String, ?> properties) {
        Object type = properties.get(VolumeDriver.TYPE_PROPERTY);
        if (!(type instanceof String t) || t.isBlank()) {
            return Optional.empty();
        }
        bound.add(new Bound(driver, t, properties.get("service.ranking") instanceof Integer r ? r : 0,
                properties.get("service.id") instanceof Long id ? id : Long.MAX_VALUE));
        return Optional.of(t);
    }

    /**
     * @param driver a driver service bound before
     * @return the type it served, or empty when it was not bound
     */
    Optional<String> remove(VolumeDriver driver) {
        for (Bound b : bound) {
            if (b.driver() == driver && bound.remove(b)) {
                return Optional.of(b.type());
            }
        }
        return Optional.empty();
    }

    /** @return the types with a bound driver now, sorted */
    SortedSet<String> types() {
        SortedSet<String> types = new TreeSet<>();
        bound.forEach(b -> types.add(b.type()));
        return types;
    }

    /**
     * @param type a driver type
     * @return the driver serving it now, or empty
     */
    Optional<VolumeDriver> driver(String type) {
        return bound.stream().filter(b -> b.type().equals(type)).min(PREFERRED).map(Bound::driver);
    }
}
