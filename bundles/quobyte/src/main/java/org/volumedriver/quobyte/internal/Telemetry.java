package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.LimitExceededException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeEvents;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The driver's events ({@link VolumeEvents}, posted asynchronously through Event Admin) and timers
 * (Micrometer, tags {@value #TAG_DRIVER} and {@value #TAG_OUTCOME}). Both services are optional and
 * dynamic: the component binds and unbinds them at any time, and while one is absent its part costs
 * a volatile read. Event properties are built only while an Event Admin is bound; nothing here takes
 * a lock, so a connect pays no more than two clock reads and, with a registry, one timer record.
 *
 * <p>Exports in events go through {@link Redactor#redactExport}, messages through
 * {@link Redactor#redactText} on one line. Timer tags carry the driver type and an outcome only
 * ({@value #OK}, or the failure's code in lower case): never an export, path, instance or input.
 */
public final class Telemetry {

    private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);

    /** Timer of connects. */
    public static final String CONNECT = "volumedriver.connect";
    /** Timer of disconnects. */
    public static final String DISCONNECT = "volumedriver.disconnect";
    /** Timer of mounts (command, appearance in the table, first probe). */
    public static final String MOUNT = "volumedriver.mount";
    /** Timer of unmounts (normal, then lazy where the rule says so). */
    public static final String UNMOUNT = "volumedriver.unmount";
    /** Timer of health probes. */
    public static final String PROBE = "volumedriver.probe";
    /** Tag: the driver type. */
    public static final String TAG_DRIVER = "driver";
    /** Tag: {@value #OK} or a failure code in lower case. */
    public static final String TAG_OUTCOME = "outcome";
    /** The outcome of a success. */
    public static final String OK = "ok";

    private static final int MAX_TEXT = 512;

    /** The HELP text a scrape shows for each timer. */
    static String description(String timer) {
        return switch (timer) {
            case CONNECT -> "Connects of a volume to the host (validation, mount when needed, volume file checks), by outcome";
            case DISCONNECT -> "Disconnects of a volume from the host (unmount after the last attachment), by outcome";
            case MOUNT -> "Mounts of an export: the client command, the mount showing in the table and its first probe, by outcome";
            case UNMOUNT -> "Unmounts of an export, normal then lazy where the rule allows, by outcome";
            case PROBE -> "Health probes of a mount (statx of its root on a worker, bounded by the probe timeout), by outcome";
            default -> "Quobyte driver operation " + timer + ", by outcome";
        };
    }

    private final AtomicReference<EventAdmin> events = new AtomicReference<>();
    private final AtomicReference<Meters> meters = new AtomicReference<>();

    /** One registry's timers, by name and outcome, so that a record looks up without building ids. */
    private record Meters(MeterRegistry registry, ConcurrentHashMap<String, ConcurrentHashMap<String, Timer>> timers) {
    }

    /** @param eventAdmin where events go from now on */
    public void bindEventAdmin(EventAdmin eventAdmin) {
        events.set(eventAdmin);
    }

    /** @param eventAdmin the Event Admin going away; ignored if another one was bound since */
    public void unbindEventAdmin(EventAdmin eventAdmin) {
        events.compareAndSet(eventAdmin, null);
    }

    /** @param registry where timers go from now on */
    public void bindMeterRegistry(MeterRegistry registry) {
        meters.set(new Meters(registry, new ConcurrentHashMap<>()));
    }

    /** @param registry the registry going away; ignored if another one was bound since */
    public void unbindMeterRegistry(MeterRegistry registry) {
        Meters m = meters.get();
        if (m != null && m.registry() == registry) {
            meters.compareAndSet(m, null);
        }
    }

    // ---------------------------------------------------------------- timers

    /**
     * @param e a failure
     * @return its outcome tag: the code in lower case
     */
    static String outcome(VolumeDriverException e) {
        return e.code().toLowerCase(Locale.ROOT);
    }

    /**
     * Records one operation's duration.
     *
     * @param timer the timer's name
     * @param outcome {@value #OK} or a failure code in lower case
     * @param nanos how long it took
     */
    void time(String timer, String outcome, long nanos) {
        Meters m = meters.get();
        if (m == null) {
            return;
        }
        try {
            ConcurrentHashMap<String, Timer> byOutcome = m.timers().get(timer);
            if (byOutcome == null) {
                byOutcome = m.timers().computeIfAbsent(timer, k -> new ConcurrentHashMap<>());
            }
            Timer t = byOutcome.get(outcome);
            if (t == null) {
                t = byOutcome.computeIfAbsent(outcome, o -> Timer.builder(timer).description(description(timer))
                        .tag(TAG_DRIVER, QuobyteAdmin.DRIVER_TYPE).tag(TAG_OUTCOME, o).register(m.registry()));
            }
            t.record(nanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            LOG.debug("timer {} not recorded ({})", timer, e.getClass().getSimpleName());
        }
    }

    /**
     * @param probe the health probe
     * @return the same probe, each verdict timed ({@value #PROBE}; a verdict other than healthy is
     *         outcome {@code mount_unhealthy})
     */
    HealthProbe timed(HealthProbe probe) {
        return new HealthProbe() {
            @Override
            public ProbeResult probe(Path mountRoot, Duration timeout) {
                long started = System.nanoTime();
                ProbeResult result = probe.probe(mountRoot, timeout);
                time(PROBE, result.isHealthy() ? OK : "mount_unhealthy", System.nanoTime() - started);
                return result;
            }

            @Override
            public void forget(Path mountRoot) {
                probe.forget(mountRoot);
            }

            @Override
            public void close() {
                probe.close();
            }
        };
    }

    // ---------------------------------------------------------------- mounts

    /** A mount was made and proved healthy. */
    void mounted(MountRecord rec, long nanos) {
        time(MOUNT, OK, nanos);
        if (events.get() != null) {
            post(VolumeEvents.MOUNT_MOUNTED, withDuration(mount(rec), nanos));
        }
    }

    /** A mount of ours is verified gone. */
    void unmounted(MountRecord rec, long nanos) {
        time(UNMOUNT, OK, nanos);
        if (events.get() != null) {
            post(VolumeEvents.MOUNT_UNMOUNTED, withDuration(mount(rec), nanos));
        }
    }

    /** A probe or the watchdog found a mount stale or hung (posted when its state turns STALE). */
    void stale(MountRecord rec, String why) {
        if (events.get() != null) {
            Map<String, Object> p = mount(rec);
            p.put(VolumeEvents.STATE, rec.state().name());
            p.put(VolumeEvents.MESSAGE, oneLine(why));
            post(VolumeEvents.MOUNT_STALE, p);
        }
    }

    /** A stale mount was healed; its state is the one after the heal. */
    void healed(MountRecord rec, long nanos) {
        if (events.get() != null) {
            Map<String, Object> p = withDuration(mount(rec), nanos);
            p.put(VolumeEvents.OPERATION, VolumeEvents.OP_HEAL);
            p.put(VolumeEvents.STATE, rec.state().name());
            post(VolumeEvents.MOUNT_HEALED, p);
        }
    }

    /** An unmount was refused because the file system is in use (posted when its state turns BUSY). */
    void busy(MountRecord rec, String operation) {
        if (events.get() != null) {
            Map<String, Object> p = mount(rec);
            p.put(VolumeEvents.OPERATION, operation);
            post(VolumeEvents.MOUNT_BUSY, p);
        }
    }

    // ---------------------------------------------------------------- volumes and limits

    /** A connect succeeded. */
    void connected(VolumeTarget t, Attachment a, long nanos) {
        time(CONNECT, OK, nanos);
        if (events.get() != null) {
            post(VolumeEvents.VOLUME_CONNECTED, withDuration(volume(t, a), nanos));
        }
    }

    /** A disconnect succeeded; {@code removed}: an attachment went (posted only then). */
    void disconnected(VolumeTarget t, Attachment a, boolean removed, long nanos) {
        time(DISCONNECT, OK, nanos);
        if (removed && events.get() != null) {
            post(VolumeEvents.VOLUME_DISCONNECTED, withDuration(volume(t, a), nanos));
        }
    }

    /**
     * A connect or disconnect failed.
     *
     * @param operation {@link VolumeEvents#OP_CONNECT} or {@link VolumeEvents#OP_DISCONNECT}
     * @param timer the operation's timer
     * @param e the failure
     * @param info the connection info as given (possibly invalid)
     * @param a the attachment as given, or null
     * @param nanos how long it took
     */
    void failed(String operation, String timer, VolumeDriverException e, ConnectionInfo info, Attachment a, long nanos) {
        time(timer, outcome(e), nanos);
        limitExceeded(e, null);
        if (events.get() == null) {
            return;
        }
        Map<String, Object> p = base();
        p.put(VolumeEvents.OPERATION, operation);
        p.put(VolumeEvents.CODE, e.code());
        p.put(VolumeEvents.MESSAGE, oneLine(e.getMessage()));
        if (info != null) {
            info.export().ifPresent(x -> p.put(VolumeEvents.EXPORT, export(x)));
        }
        if (a != null) {
            p.put(VolumeEvents.VOLUME, a.volume());
            p.put(VolumeEvents.INSTANCE, a.instance());
        }
        post(VolumeEvents.VOLUME_FAILED, p);
    }

    /**
     * Posts {@link VolumeEvents#LIMIT_EXCEEDED} if the failure is a limit's refusal.
     *
     * @param e a failure
     * @param dir the mount directory concerned, or null
     */
    void limitExceeded(VolumeDriverException e, Path dir) {
        if (e instanceof LimitExceededException limit && events.get() != null) {
            Map<String, Object> p = base();
            p.put(VolumeEvents.LIMIT, limit.limit());
            p.put(VolumeEvents.MESSAGE, oneLine(limit.getMessage()));
            if (dir != null) {
                p.put(VolumeEvents.MOUNT_DIRECTORY, dir.toString());
            }
            post(VolumeEvents.LIMIT_EXCEEDED, p);
        }
    }

    // ---------------------------------------------------------------- properties

    private static Map<String, Object> base() {
        Map<String, Object> p = new HashMap<>();
        p.put(EventConstants.TIMESTAMP, System.currentTimeMillis());
        p.put(VolumeEvents.DRIVER_TYPE, QuobyteAdmin.DRIVER_TYPE);
        return p;
    }

    private static Map<String, Object> mount(MountRecord rec) {
        Map<String, Object> p = base();
        p.put(VolumeEvents.MOUNT_DIRECTORY, rec.dir.toString());
        String export = rec.export();
        if (export != null) {
            p.put(VolumeEvents.EXPORT, export(export));
        }
        return p;
    }

    private static Map<String, Object> volume(VolumeTarget t, Attachment a) {
        Map<String, Object> p = base();
        p.put(VolumeEvents.MOUNT_DIRECTORY, t.dir().toString());
        p.put(VolumeEvents.EXPORT, export(t.export().stripped()));
        p.put(VolumeEvents.VOLUME, a.volume());
        p.put(VolumeEvents.INSTANCE, a.instance());
        return p;
    }

    private static Map<String, Object> withDuration(Map<String, Object> p, long nanos) {
        p.put(VolumeEvents.DURATION_NANOS, nanos);
        return p;
    }

    /** An export as given, possibly invalid: redacted, printable, bounded. */
    static String export(String export) {
        return oneLine(Redactor.redactExport(export));
    }

    /** Redacted text on one printable line, bounded. */
    static String oneLine(String text) {
        String redacted = Redactor.redactText(text == null ? "" : text);
        StringBuilder out = new StringBuilder(Math.min(redacted.length(), MAX_TEXT));
        for (int i = 0; i < redacted.length() && out.length() < MAX_TEXT; i++) {
            char c = redacted.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        return out.toString();
    }

    private void post(String topic, Map<String, Object> properties) {
        EventAdmin admin = events.get();
        if (admin == null) {
            return;
        }
        try {
            admin.postEvent(new Event(topic, properties));
        } catch (RuntimeException e) {
            // an Event Admin going away while we post: the operation itself is not affected
            LOG.debug("event {} not posted ({})", topic, e.getClass().getSimpleName());
        }
    }
}
