package org.volumedriver.spi;

/**
 * The OSGi Event Admin topics and event property keys that the volumedriver bundles post, so that
 * monitoring can subscribe without knowing which bundle produces what.
 *
 * <p>Producers post asynchronously ({@code postEvent}, never {@code sendEvent}) and only while an
 * Event Admin is present; every event also carries {@code EventConstants.TIMESTAMP} (milliseconds
 * since the epoch) set by the poster. Property values are never secrets: {@link #EXPORT} always
 * goes through {@link Redactor#redactExport(String)}, {@link #MESSAGE} through
 * {@link Redactor#redactText(String)} and is one line. A subscriber takes every topic with
 * {@link #ALL_TOPICS}.
 *
 * <table>
 * <caption>Topics and the properties they carry (always, or where known)</caption>
 * <tr><th>topic</th><th>posted when</th><th>properties</th></tr>
 * <tr><td>{@value #MOUNT_MOUNTED}</td><td>an export was mounted and proved healthy</td>
 * <td>driver.type, mount.directory, export, duration.nanos</td></tr>
 * <tr><td>{@value #MOUNT_UNMOUNTED}</td><td>an export was unmounted (last disconnect, idle or heal)</td>
 * <td>driver.type, mount.directory, export (where known), duration.nanos</td></tr>
 * <tr><td>{@value #MOUNT_STALE}</td><td>a probe or the watchdog found a mount stale or hung</td>
 * <td>driver.type, mount.directory, export (where known), state, message</td></tr>
 * <tr><td>{@value #MOUNT_HEALED}</td><td>a stale mount was healed</td>
 * <td>driver.type, mount.directory, export (where known), operation ({@code heal}), state, duration.nanos</td></tr>
 * <tr><td>{@value #MOUNT_BUSY}</td><td>an unmount was refused because the file system is in use</td>
 * <td>driver.type, mount.directory, export (where known), operation</td></tr>
 * <tr><td>{@value #VOLUME_CONNECTED}</td><td>a connect succeeded</td>
 * <td>driver.type, mount.directory, export, volume, instance, duration.nanos</td></tr>
 * <tr><td>{@value #VOLUME_DISCONNECTED}</td><td>a disconnect succeeded</td>
 * <td>driver.type, mount.directory, export, volume, instance, duration.nanos</td></tr>
 * <tr><td>{@value #VOLUME_FAILED}</td><td>a connect or disconnect failed</td>
 * <td>driver.type, operation, code, message; export, volume, instance where valid</td></tr>
 * <tr><td>{@value #GUEST_ATTACHED}</td><td>a volume was attached to a guest</td>
 * <td>driver.type, domain, volume, duration.nanos</td></tr>
 * <tr><td>{@value #GUEST_DETACHED}</td><td>a volume was detached from a guest</td>
 * <td>driver.type, domain, volume, duration.nanos</td></tr>
 * <tr><td>{@value #GUEST_SNAPSHOT_CREATED}</td><td>an assisted snapshot of an attached volume was taken</td>
 * <td>driver.type, domain, volume, duration.nanos</td></tr>
 * <tr><td>{@value #GUEST_SNAPSHOT_DELETED}</td><td>a file of an attached volume's chain was merged away</td>
 * <td>driver.type, domain, volume, duration.nanos</td></tr>
 * <tr><td>{@value #GUEST_EXTENDED}</td><td>a guest was told that its volume grew</td>
 * <td>driver.type, domain, volume, duration.nanos</td></tr>
 * <tr><td>{@value #GUEST_FAILED}</td><td>one of the guest operations failed</td>
 * <td>domain, operation, code, message; driver.type, volume where known</td></tr>
 * <tr><td>{@value #LIMIT_EXCEEDED}</td><td>a configured limit refused an operation</td>
 * <td>limit, message; driver.type, mount.directory, command where known</td></tr>
 * <tr><td>{@value #EXECUTOR_SATURATED}</td><td>the command executor refused a command: all slots busy</td>
 * <td>command, message</td></tr>
 * <tr><td>{@value #EXECUTOR_TIMED_OUT}</td><td>a command ran out of time and its process tree was killed</td>
 * <td>command, duration.nanos</td></tr>
 * <tr><td>{@value #RECONCILE_DRIFT}</td><td>a reconciliation found records and guests disagreeing, one
 * event per disk or record; action says what it did (ADOPTED, DRIFT_KEPT, DRIFT_RELEASED, FAILED)</td>
 * <td>action, driver.type, mount.directory, volume; instance, domain where known</td></tr>
 * </table>
 *
 * <table>
 * <caption>Property keys and their values</caption>
 * <tr><th>key</th><th>type</th><th>value</th></tr>
 * <tr><td>{@value #DRIVER_TYPE}</td><td>String</td><td>the driver's {@code driver_volume_type}</td></tr>
 * <tr><td>{@value #MOUNT_DIRECTORY}</td><td>String</td><td>the absolute mount directory</td></tr>
 * <tr><td>{@value #EXPORT}</td><td>String</td><td>the export, through {@link Redactor#redactExport(String)}</td></tr>
 * <tr><td>{@value #INSTANCE}</td><td>String</td><td>the attachment's instance</td></tr>
 * <tr><td>{@value #VOLUME}</td><td>String</td><td>the volume file name</td></tr>
 * <tr><td>{@value #DOMAIN}</td><td>String</td><td>the libvirt domain (name or UUID as the caller gave it)</td></tr>
 * <tr><td>{@value #OPERATION}</td><td>String</td><td>one of the {@code OP_*} values, for example {@value #OP_CONNECT}</td></tr>
 * <tr><td>{@value #CODE}</td><td>String</td><td>{@link VolumeDriverException#code()}</td></tr>
 * <tr><td>{@value #STATE}</td><td>String</td><td>a {@link MountState} name</td></tr>
 * <tr><td>{@value #DURATION_NANOS}</td><td>Long</td><td>how long the operation took, in nanoseconds</td></tr>
 * <tr><td>{@value #COMMAND}</td><td>String</td><td>the executor's command name (an allowlist key)</td></tr>
 * <tr><td>{@value #LIMIT}</td><td>String</td><td>the configuration key of the limit</td></tr>
 * <tr><td>{@value #ACTION}</td><td>String</td><td>a reconcile action's name</td></tr>
 * <tr><td>{@value #MESSAGE}</td><td>String</td><td>one line, through {@link Redactor#redactText(String)}</td></tr>
 * </table>
 *
 * @since 1.3
 */
public final class VolumeEvents {

    /** Every topic starts with this. */
    public static final String TOPIC_PREFIX = "org/volumedriver/";
    /** Subscribes to every topic below. */
    public static final String ALL_TOPICS = TOPIC_PREFIX + "*";

    /** Topic: an export was mounted. */
    public static final String MOUNT_MOUNTED = TOPIC_PREFIX + "mount/MOUNTED";
    /** Topic: an export was unmounted. */
    public static final String MOUNT_UNMOUNTED = TOPIC_PREFIX + "mount/UNMOUNTED";
    /** Topic: a mount was found stale or hung. */
    public static final String MOUNT_STALE = TOPIC_PREFIX + "mount/STALE";
    /** Topic: a stale mount was healed. */
    public static final String MOUNT_HEALED = TOPIC_PREFIX + "mount/HEALED";
    /** Topic: an unmount was refused, the file system is busy. */
    public static final String MOUNT_BUSY = TOPIC_PREFIX + "mount/BUSY";

    /** Topic: a connect succeeded. */
    public static final String VOLUME_CONNECTED = TOPIC_PREFIX + "volume/CONNECTED";
    /** Topic: a disconnect succeeded. */
    public static final String VOLUME_DISCONNECTED = TOPIC_PREFIX + "volume/DISCONNECTED";
    /** Topic: a connect or disconnect failed. */
    public static final String VOLUME_FAILED = TOPIC_PREFIX + "volume/FAILED";

    /** Topic: a volume was attached to a guest. */
    public static final String GUEST_ATTACHED = TOPIC_PREFIX + "guest/ATTACHED";
    /** Topic: a volume was detached from a guest. */
    public static final String GUEST_DETACHED = TOPIC_PREFIX + "guest/DETACHED";
    /** Topic: an assisted snapshot of an attached volume was taken. */
    public static final String GUEST_SNAPSHOT_CREATED = TOPIC_PREFIX + "guest/SNAPSHOT_CREATED";
    /** Topic: a file of an attached volume's chain was merged away. */
    public static final String GUEST_SNAPSHOT_DELETED = TOPIC_PREFIX + "guest/SNAPSHOT_DELETED";
    /** Topic: a guest was told that its volume grew. */
    public static final String GUEST_EXTENDED = TOPIC_PREFIX + "guest/EXTENDED";
    /** Topic: a guest operation failed. */
    public static final String GUEST_FAILED = TOPIC_PREFIX + "guest/FAILED";

    /** Topic: a configured limit refused an operation. */
    public static final String LIMIT_EXCEEDED = TOPIC_PREFIX + "limit/EXCEEDED";

    /** Topic: the command executor refused a command because all its slots were busy. */
    public static final String EXECUTOR_SATURATED = TOPIC_PREFIX + "executor/SATURATED";
    /** Topic: a command ran out of time. */
    public static final String EXECUTOR_TIMED_OUT = TOPIC_PREFIX + "executor/TIMED_OUT";

    /** Topic: a reconciliation found drift. */
    public static final String RECONCILE_DRIFT = TOPIC_PREFIX + "reconcile/DRIFT";

    /** Property: the driver's type (String). */
    public static final String DRIVER_TYPE = "driver.type";
    /** Property: the absolute mount directory (String). */
    public static final String MOUNT_DIRECTORY = "mount.directory";
    /** Property: the export, always redacted with {@link Redactor#redactExport(String)} (String). */
    public static final String EXPORT = "export";
    /** Property: the attachment's instance (String). */
    public static final String INSTANCE = "instance";
    /** Property: the volume file name (String). */
    public static final String VOLUME = "volume";
    /** Property: the libvirt domain (String). */
    public static final String DOMAIN = "domain";
    /** Property: the operation, one of the {@code OP_*} values (String). */
    public static final String OPERATION = "operation";
    /** Property: the failure's {@link VolumeDriverException#code()} (String). */
    public static final String CODE = "code";
    /** Property: a {@link MountState} name (String). */
    public static final String STATE = "state";
    /** Property: the operation's duration in nanoseconds (Long). */
    public static final String DURATION_NANOS = "duration.nanos";
    /** Property: the executor's command name (String). */
    public static final String COMMAND = "command";
    /** Property: the configuration key of the limit that refused (String). */
    public static final String LIMIT = "limit";
    /** Property: a reconcile action's name (String). */
    public static final String ACTION = "action";
    /** Property: one line, redacted with {@link Redactor#redactText(String)} (String). */
    public static final String MESSAGE = "message";

    /** Operation: a connect. */
    public static final String OP_CONNECT = "connect";
    /** Operation: a disconnect. */
    public static final String OP_DISCONNECT = "disconnect";
    /** Operation: a mount. */
    public static final String OP_MOUNT = "mount";
    /** Operation: an unmount. */
    public static final String OP_UNMOUNT = "unmount";
    /** Operation: a heal of a stale mount. */
    public static final String OP_HEAL = "heal";
    /** Operation: an attach to a guest. */
    public static final String OP_ATTACH = "attach";
    /** Operation: a detach from a guest. */
    public static final String OP_DETACH = "detach";
    /** Operation: an assisted snapshot. */
    public static final String OP_SNAPSHOT_CREATE = "snapshot-create";
    /** Operation: a merge of a snapshot file. */
    public static final String OP_SNAPSHOT_DELETE = "snapshot-delete";
    /** Operation: telling a guest that its volume grew. */
    public static final String OP_EXTEND = "extend";
    /** Operation: a reconciliation. */
    public static final String OP_RECONCILE = "reconcile";
    /** Operation: a health probe. */
    public static final String OP_PROBE = "probe";

    private VolumeEvents() {
    }
}
