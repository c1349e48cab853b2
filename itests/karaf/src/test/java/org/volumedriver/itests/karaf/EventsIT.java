package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.volumedriver.libvirt.VolumeReconciler;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeEvents;

/**
 * The events of the distribution's bundles, as an Event Admin subscriber of
 * {@value VolumeEvents#ALL_TOPICS} receives them from the real Event Admin: a connect, the stand-in's
 * client daemon killed (stale), a forced heal and the last disconnect give mount MOUNTED, volume
 * CONNECTED, mount STALE, mount UNMOUNTED and MOUNTED (the heal's own steps), mount HEALED, mount
 * UNMOUNTED, volume DISCONNECTED, in that order, with the documented properties and types; a
 * reconciliation meanwhile reports the attachment no guest uses as reconcile DRIFT, beside that
 * sequence wherever it falls; a refused connect gives volume FAILED.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class EventsIT extends TelemetryTestSupport {

    static final String EXPORT = "registry-e.example.org:7861/events";
    static final String VOLUME = "volume-4a3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";
    static final String INSTANCE = "instance-events";
    private static final long WAIT = 30_000;

    @Test
    public void t10_connectStaleHealDisconnectPostsTheDocumentedSequence() throws Exception {
        requireRealMounts();
        String json = connectionInfo(EXPORT, VOLUME);
        try (EventRecorder recorder = EventRecorder.register(bundleContext)) {
            connect(json, VOLUME, INSTANCE);
            String dir = onlyMountDirectory();
            Event mounted = recorder.await(VolumeEvents.MOUNT_MOUNTED, WAIT);
            Event connected = recorder.await(VolumeEvents.VOLUME_CONNECTED, WAIT);

            killStandinDaemon(EXPORT);
            // a probe finds it (mounts() probes every mount)
            List<MountStatus> mounts = quobyte().mounts();
            assertEquals(mounts.toString(), MountState.STALE, mounts.get(0).state());
            Event stale = recorder.await(VolumeEvents.MOUNT_STALE, WAIT);
            // no guest of the hypervisor uses the attachment: a reconciliation reports it, and its
            // report is an event beside the lifecycle, wherever it falls (one also runs at start)
            VolumeReconciler reconciler = getOsgiService(VolumeReconciler.class, 30_000);
            reconciler.reconcile(false);
            Event drift = recorder.await(VolumeEvents.RECONCILE_DRIFT, WAIT);
            assertEquals(INSTANCE, string(drift, VolumeEvents.INSTANCE));
            assertEquals(VOLUME, string(drift, VolumeEvents.VOLUME));
            assertEquals("DRIFT_KEPT", string(drift, VolumeEvents.ACTION));

            MountStatus healed = quobyte().heal(dir, true);
            assertEquals(MountState.HEALTHY, healed.state());
            Event heal = recorder.await(VolumeEvents.MOUNT_HEALED, WAIT);

            disconnect(json, VOLUME, INSTANCE);
            Event disconnected = recorder.await(VolumeEvents.VOLUME_DISCONNECTED, WAIT);
            assertEquals(List.of(), sandboxMounts());

            System.out.println("events received: " + recorder.topics());
            List<Event> all = lifecycle(recorder.events());
            List<String> topics = all.stream().map(Event::getTopic).collect(Collectors.toList());
            // a heal unmounts the stale mount and mounts it again, and says so; the last disconnect
            // unmounts before it reports itself done, as a connect mounts before it does
            assertEquals("the sequence (repeated STALE reports collapsed)",
                    List.of(VolumeEvents.MOUNT_MOUNTED, VolumeEvents.VOLUME_CONNECTED, VolumeEvents.MOUNT_STALE,
                            VolumeEvents.MOUNT_UNMOUNTED, VolumeEvents.MOUNT_MOUNTED, VolumeEvents.MOUNT_HEALED,
                            VolumeEvents.MOUNT_UNMOUNTED, VolumeEvents.VOLUME_DISCONNECTED),
                    collapseRepeats(topics));
            Event unmounted = all.get(all.indexOf(disconnected) - 1);
            for (Event e : all.subList(all.indexOf(heal) - 2, all.indexOf(heal))) {
                assertMountEvent(e, dir);
                assertDuration(e);
            }

            assertMountEvent(mounted, dir);
            assertDuration(mounted);
            assertMountEvent(connected, dir);
            assertEquals(VOLUME, string(connected, VolumeEvents.VOLUME));
            assertEquals(INSTANCE, string(connected, VolumeEvents.INSTANCE));
            assertDuration(connected);
            assertMountEvent(stale, dir);
            assertEquals(MountState.STALE.name(), string(stale, VolumeEvents.STATE));
            if (stale.containsProperty(VolumeEvents.MESSAGE)) {
                assertOneLine(string(stale, VolumeEvents.MESSAGE));
            }
            assertMountEvent(heal, dir);
            assertEquals(VolumeEvents.OP_HEAL, string(heal, VolumeEvents.OPERATION));
            assertEquals(MountState.HEALTHY.name(), string(heal, VolumeEvents.STATE));
            assertDuration(heal);
            assertMountEvent(disconnected, dir);
            assertEquals(VOLUME, string(disconnected, VolumeEvents.VOLUME));
            assertEquals(INSTANCE, string(disconnected, VolumeEvents.INSTANCE));
            assertDuration(disconnected);
            assertMountEvent(unmounted, dir);
            assertDuration(unmounted);
            for (Event e : recorder.events()) {
                assertOnlyDocumentedTypes(e);
            }
        }
    }

    @Test
    public void t20_aRefusedConnectPostsVolumeFailed() throws Exception {
        String json = connectionInfo(EXPORT, VOLUME).replace("\"name\"", "\"format\":\"vmdk\",\"name\"");
        try (EventRecorder recorder = EventRecorder.register(bundleContext)) {
            try {
                connect(json, VOLUME, INSTANCE);
                fail("a vmdk volume was connected");
            } catch (VolumeDriverException e) {
                assertEquals("UNSUPPORTED_FORMAT", e.code());
            }
            Event failed = recorder.await(VolumeEvents.VOLUME_FAILED, WAIT);
            assertEquals("quobyte", string(failed, VolumeEvents.DRIVER_TYPE));
            assertEquals(VolumeEvents.OP_CONNECT, string(failed, VolumeEvents.OPERATION));
            assertEquals("UNSUPPORTED_FORMAT", string(failed, VolumeEvents.CODE));
            assertOneLine(string(failed, VolumeEvents.MESSAGE));
            assertOnlyDocumentedTypes(failed);
            Thread.sleep(500);
            assertEquals("nothing else happened", List.of(VolumeEvents.VOLUME_FAILED), recorder.topics());
        }
        assertEquals(List.of(), sandboxMounts());
    }

    // ---- helpers ----

    private static List<Event> lifecycle(List<Event> events) {
        return events.stream()
                .filter(e -> e.getTopic().startsWith(VolumeEvents.TOPIC_PREFIX + "mount/")
                        || e.getTopic().startsWith(VolumeEvents.TOPIC_PREFIX + "volume/"))
                .collect(Collectors.toList());
    }

    private static void assertMountEvent(Event e, String dir) {
        assertEquals(e.getTopic(), "quobyte", string(e, VolumeEvents.DRIVER_TYPE));
        assertEquals(e.getTopic(), dir, string(e, VolumeEvents.MOUNT_DIRECTORY));
        if (e.containsProperty(VolumeEvents.EXPORT) || !e.getTopic().startsWith(VolumeEvents.TOPIC_PREFIX + "mount/")) {
            String export = string(e, VolumeEvents.EXPORT);
            assertTrue(e.getTopic() + " export " + export, export.endsWith(EXPORT));
        }
        Object timestamp = e.getProperty(EventConstants.TIMESTAMP);
        assertTrue(e.getTopic() + " timestamp " + timestamp, timestamp instanceof Long
                && Math.abs((Long) timestamp - System.currentTimeMillis()) < 600_000);
    }

    private static void assertDuration(Event e) {
        Object nanos = e.getProperty(VolumeEvents.DURATION_NANOS);
        assertTrue(e.getTopic() + " duration.nanos is a Long: " + nanos, nanos instanceof Long);
        assertTrue(e.getTopic() + " duration.nanos " + nanos, (Long) nanos > 0 && (Long) nanos < 120_000_000_000L);
    }

    private static String string(Event e, String key) {
        Object value = e.getProperty(key);
        assertNotNull(e.getTopic() + " carries " + key + ": " + names(e), value);
        assertTrue(e.getTopic() + " " + key + " is a String: " + value.getClass(), value instanceof String);
        return (String) value;
    }

    /** Every property is one of the documented keys with its documented type. */
    private static void assertOnlyDocumentedTypes(Event e) {
        Set<String> strings = Set.of(VolumeEvents.DRIVER_TYPE, VolumeEvents.MOUNT_DIRECTORY, VolumeEvents.EXPORT,
                VolumeEvents.INSTANCE, VolumeEvents.VOLUME, VolumeEvents.DOMAIN, VolumeEvents.OPERATION,
                VolumeEvents.CODE, VolumeEvents.STATE, VolumeEvents.COMMAND, VolumeEvents.LIMIT, VolumeEvents.ACTION,
                VolumeEvents.MESSAGE);
        for (String name : e.getPropertyNames()) {
            Object value = e.getProperty(name);
            if (name.equals(EventConstants.EVENT_TOPIC)) {
                continue;
            }
            if (name.equals(EventConstants.TIMESTAMP) || name.equals(VolumeEvents.DURATION_NANOS)) {
                assertTrue(e.getTopic() + " " + name + " is a Long", value instanceof Long);
            } else {
                assertTrue(e.getTopic() + " undocumented property " + name, strings.contains(name));
                assertTrue(e.getTopic() + " " + name + " is a String", value instanceof String);
            }
        }
    }

    private static void assertOneLine(String message) {
        assertFalse("one line: " + message, message.contains("\n") || message.contains("\r") || message.isBlank());
    }

    private static Set<String> names(Event e) {
        return new TreeSet<>(List.of(e.getPropertyNames()));
    }

    private static List<String> collapseRepeats(List<String> topics) {
        List<String> out = new ArrayList<>();
        for (String t : topics) {
            if (out.isEmpty() || !out.get(out.size() - 1).equals(t)) {
                out.add(t);
            }
        }
        return out;
    }
}
