package org.volumedriver.libvirt.internal;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeEvents;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The bundle's events and timers: the {@code org/volumedriver/guest/*} events and the timers
 * {@code volumedriver.attach|detach|snapshot.create|snapshot.delete|extend} of the guest
 * operations, and one {@value VolumeEvents#RECONCILE_DRIFT} event per drifted row of a
 * reconciliation. Event Admin and the MeterRegistry are optional and may come and go (dynamic,
 * greedy references); while one is absent its part costs a null check. Events are posted
 * asynchronously. Timer tags are {@code driver} (a registered driver's type, {@code none} before a
 * driver was found) and {@code outcome} ({@code ok} or the error code in lower case): never a
 * domain, path, export or connection info. Nothing here resolves an Event Admin or Micrometer class
 * unless one is bound, so the components also run where neither is on the class path.
 */
@Component(service = Telemetry.class)
public class Telemetry {

    /** Tag: the driver's type. */
    public static final String TAG_DRIVER = "driver";
    /** Tag: {@code ok} or the failure's code in lower case. */
    public static final String TAG_OUTCOME = "outcome";
    /** The {@code driver} tag before a driver was found. */
    public static final String NO_DRIVER = "none";
    /** The code of a failure that is not a {@link VolumeDriverException}. */
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";

    /** The guest operations, each with its event topic and timer. */
    public enum GuestOperation {
        /** A volume attached to a guest. */
        ATTACH(VolumeEvents.OP_ATTACH, VolumeEvents.GUEST_ATTACHED, "volumedriver.attach",
                "Attaches of a volume to a guest (driver connect, disk XML, libvirt attach), by driver and outcome"),
        /** A volume detached from a guest. */
        DETACH(VolumeEvents.OP_DETACH, VolumeEvents.GUEST_DETACHED, "volumedriver.detach",
                "Detaches of a volume from a guest (libvirt detach, driver disconnect), by driver and outcome"),
        /** An assisted snapshot: the guest switched to a new active file. */
        SNAPSHOT_CREATE(VolumeEvents.OP_SNAPSHOT_CREATE, VolumeEvents.GUEST_SNAPSHOT_CREATED, "volumedriver.snapshot.create",
                "Assisted snapshots: checks, then the guest switched to the new active file, by driver and outcome"),
        /** A file merged out of a disk's chain. */
        SNAPSHOT_DELETE(VolumeEvents.OP_SNAPSHOT_DELETE, VolumeEvents.GUEST_SNAPSHOT_DELETED, "volumedriver.snapshot.delete",
                "Snapshot deletes: a file merged out of a disk's chain by a block job, waited for, by driver and outcome"),
        /** A guest told that its volume grew. */
        EXTEND(VolumeEvents.OP_EXTEND, VolumeEvents.GUEST_EXTENDED, "volumedriver.extend",
                "Online extends: the guest told that its volume grew, by driver and outcome");

        final String operation;
        final String topic;
        final String timer;
        final String description;

        GuestOperation(String operation, String topic, String timer, String description) {
            this.operation = operation;
            this.topic = topic;
            this.timer = timer;
            this.description = description;
        }

        /** @return the timer's name */
        public String timer() {
            return timer;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EventAdmin eventAdmin;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MeterRegistry meterRegistry;

    /** A telemetry that posts and records nothing until services are bound. */
    public Telemetry() {
    }

    /**
     * Outside a framework, for tests.
     *
     * @param events the Event Admin to post to, or {@code null}
     * @param meters the registry to record into, or {@code null}
     * @return a telemetry bound to them
     */
    public static Telemetry with(EventAdmin events, MeterRegistry meters) {
        Telemetry telemetry = new Telemetry();
        telemetry.eventAdmin = events;
        telemetry.meterRegistry = meters;
        return telemetry;
    }

    /**
     * A guest operation succeeded.
     *
     * @param operation the operation
     * @param driver the driver's type
     * @param domain the domain name (checked)
     * @param volume the volume file name
     * @param nanos how long it took
     */
    public void done(GuestOperation operation, String driver, String domain, String volume, long nanos) {
        if (meterRegistry != null) {
            record(operation, driver, "ok", nanos);
        }
        if (eventAdmin != null) {
            Map<String, Object> properties = properties();
            put(properties, VolumeEvents.DRIVER_TYPE, driver);
            put(properties, VolumeEvents.DOMAIN, domain);
            put(properties, VolumeEvents.VOLUME, volume);
            properties.put(VolumeEvents.DURATION_NANOS, nanos);
            post(operation.topic, properties);
        }
    }

    /**
     * A guest operation ended without failing and without news: timed, no event (a detach whose
     * device the guest has not released yet, or that another view still references).
     *
     * @param operation the operation
     * @param driver the driver's type
     * @param nanos how long it took
     */
    public void timed(GuestOperation operation, String driver, long nanos) {
        if (meterRegistry != null) {
            record(operation, driver, "ok", nanos);
        }
    }

    /**
     * A guest operation failed.
     *
     * @param operation the operation
     * @param driver the driver's type, or {@code null} if no driver was found
     * @param domain the domain as given (quoted here unless it is a valid name)
     * @param volume the volume file name, or {@code null} if not known
     * @param failure the failure
     * @param nanos how long it took
     */
    public void failed(GuestOperation operation, String driver, String domain, String volume, Exception failure, long nanos) {
        String code = failure instanceof VolumeDriverException typed ? typed.code() : INTERNAL_ERROR;
        if (meterRegistry != null) {
            record(operation, driver, code.toLowerCase(Locale.ROOT), nanos);
        }
        if (eventAdmin != null) {
            Map<String, Object> properties = properties();
            boolean validDomain = domain != null && VolumeAttacherImpl.DOMAIN_NAME.matcher(domain).matches();
            properties.put(VolumeEvents.DOMAIN, validDomain ? domain : Redactor.quote(domain));
            properties.put(VolumeEvents.OPERATION, operation.operation);
            properties.put(VolumeEvents.CODE, code);
            properties.put(VolumeEvents.MESSAGE, oneLine(failure.getMessage()));
            put(properties, VolumeEvents.DRIVER_TYPE, driver);
            put(properties, VolumeEvents.VOLUME, volume);
            properties.put(VolumeEvents.DURATION_NANOS, nanos);
            post(VolumeEvents.GUEST_FAILED, properties);
        }
    }

    /**
     * One event per row of a reconciliation (not a dry run) where the driver's records and the
     * guests disagreed: {@link ReconcileAction#ADOPTED} (a guest's disk was not recorded),
     * {@link ReconcileAction#DRIFT_KEPT} and {@link ReconcileAction#DRIFT_RELEASED} (a record no
     * guest uses), and {@link ReconcileAction#FAILED} (the driver could not adopt or release).
     * A rejected disk is in the report and the log; it names no driver to attribute it to.
     *
     * @param row a row of the report
     */
    public void reconciled(ReconcileRow row) {
        if (eventAdmin == null || !DISAGREEMENTS.contains(row.action())) {
            return;
        }
        Map<String, Object> properties = properties();
        properties.put(VolumeEvents.ACTION, row.action().name());
        properties.put(VolumeEvents.OPERATION, VolumeEvents.OP_RECONCILE);
        put(properties, VolumeEvents.DRIVER_TYPE, row.driver());
        put(properties, VolumeEvents.MOUNT_DIRECTORY, row.mountDirectory());
        put(properties, VolumeEvents.VOLUME, row.volume());
        put(properties, VolumeEvents.INSTANCE, row.instance());
        put(properties, VolumeEvents.DOMAIN, row.domainName());
        put(properties, VolumeEvents.MESSAGE, oneLine(row.reason()));
        post(VolumeEvents.RECONCILE_DRIFT, properties);
    }

    private void record(GuestOperation operation, String driver, String outcome, long nanos) {
        MeterRegistry meters = meterRegistry;
        if (meters != null) {
            Timer.builder(operation.timer).description(operation.description)
                    .tag(TAG_DRIVER, driver == null ? NO_DRIVER : driver).tag(TAG_OUTCOME, outcome)
                    .register(meters).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void post(String topic, Map<String, Object> properties) {
        EventAdmin events = eventAdmin;
        if (events != null) {
            events.postEvent(new Event(topic, properties));
        }
    }

    private static Map<String, Object> properties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(EventConstants.TIMESTAMP, System.currentTimeMillis());
        return properties;
    }

    private static void put(Map<String, Object> properties, String key, String value) {
        if (value != null && !value.isEmpty()) {
            properties.put(key, value);
        }
    }

    /** The reconcile actions that are news: the records and the guests disagreed. */
    private static final Set<ReconcileAction> DISAGREEMENTS = EnumSet.of(ReconcileAction.ADOPTED, ReconcileAction.DRIFT_KEPT,
            ReconcileAction.DRIFT_RELEASED, ReconcileAction.FAILED);

    /** URL user information anywhere in a text: {@code scheme://user:password@}. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@\\s'\"]+@");

    /** One line, sensitive key-value pairs and URL user information masked, whatever a driver's message holds. */
    private static String oneLine(String message) {
        String text = Redactor.redactText(message == null ? "" : message);
        return USER_INFO.matcher(text).replaceAll(Redactor.MASK + "@").replaceAll("[\\r\\n]+", " ");
    }
}
