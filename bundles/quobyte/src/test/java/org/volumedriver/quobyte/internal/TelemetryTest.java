package org.volumedriver.quobyte.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.volumedriver.quobyte.internal.Fakes.VOLUME1;
import static org.volumedriver.quobyte.internal.Fakes.info;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.LimitExceededException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeEvents;
import org.volumedriver.testsupport.RecordingEventAdmin;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The driver's events and timers: what a connect, a stale mount, its heal and a disconnect post, and that no secret gets out. */
class TelemetryTest extends FakeHostFixture {

    static final String SECRET = "hunter2";

    RecordingEventAdmin events;
    SimpleMeterRegistry meters;
    Telemetry telemetry;

    @BeforeEach
    void setUp() {
        events = new RecordingEventAdmin();
        meters = new SimpleMeterRegistry();
        telemetry = new Telemetry();
        telemetry.bindEventAdmin(events);
        telemetry.bindMeterRegistry(meters);
        filesOnMount(512, VOLUME1);
    }

    /** Engines here report to {@link #telemetry}. */
    @Override
    QuobyteEngine engine(Settings.Builder settings) throws VolumeDriverException {
        return engineBuilder().telemetry(telemetry).settings(settings).start();
    }

    long count(String timer, String outcome) {
        var t = meters.find(timer).tag(Telemetry.TAG_DRIVER, "quobyte").tag(Telemetry.TAG_OUTCOME, outcome).timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void connectStaleHealDisconnectPostsTheirEventsAndTimesEachStep() throws Exception {
        QuobyteEngine e = engine();
        Attachment vm1 = new Attachment(VOLUME1, "vm1");
        e.connect(info("quobyte://" + EXPORT, VOLUME1), vm1);
        probe.results.put(dir, ProbeResult.ofErrno(Errno.ENOTCONN));
        mounter.beforeMount = probe.results::clear; // the fresh client answers
        e.heal(dir.toString(), true);
        assertEquals(DisconnectOutcome.UNMOUNTED, e.disconnect(info(EXPORT, VOLUME1), vm1));

        assertEquals(List.of(VolumeEvents.MOUNT_MOUNTED, VolumeEvents.VOLUME_CONNECTED, VolumeEvents.MOUNT_STALE,
                VolumeEvents.MOUNT_UNMOUNTED, VolumeEvents.MOUNT_MOUNTED, VolumeEvents.MOUNT_HEALED, VolumeEvents.MOUNT_UNMOUNTED,
                VolumeEvents.VOLUME_DISCONNECTED), events.topics());
        for (Event ev : events.posted()) {
            assertEquals("quobyte", ev.getProperty(VolumeEvents.DRIVER_TYPE), ev.getTopic());
            assertEquals(dir.toString(), ev.getProperty(VolumeEvents.MOUNT_DIRECTORY), ev.getTopic());
            assertEquals(EXPORT, ev.getProperty(VolumeEvents.EXPORT), ev.getTopic());
            assertInstanceOf(Long.class, ev.getProperty(EventConstants.TIMESTAMP), ev.getTopic());
        }
        Event connected = events.last(VolumeEvents.VOLUME_CONNECTED);
        assertEquals(VOLUME1, connected.getProperty(VolumeEvents.VOLUME));
        assertEquals("vm1", connected.getProperty(VolumeEvents.INSTANCE));
        assertTrue((Long) connected.getProperty(VolumeEvents.DURATION_NANOS) > 0);
        Event stale = events.last(VolumeEvents.MOUNT_STALE);
        assertEquals("STALE", stale.getProperty(VolumeEvents.STATE));
        assertTrue(((String) stale.getProperty(VolumeEvents.MESSAGE)).contains("ENOTCONN"), stale.getProperty(VolumeEvents.MESSAGE).toString());
        Event healed = events.last(VolumeEvents.MOUNT_HEALED);
        assertEquals(VolumeEvents.OP_HEAL, healed.getProperty(VolumeEvents.OPERATION));
        assertEquals("HEALTHY", healed.getProperty(VolumeEvents.STATE));
        assertInstanceOf(Long.class, healed.getProperty(VolumeEvents.DURATION_NANOS));
        assertEquals("vm1", events.last(VolumeEvents.VOLUME_DISCONNECTED).getProperty(VolumeEvents.INSTANCE));
        assertInstanceOf(Long.class, events.last(VolumeEvents.MOUNT_UNMOUNTED).getProperty(VolumeEvents.DURATION_NANOS));

        assertEquals(1, count(Telemetry.CONNECT, "ok"));
        assertEquals(1, count(Telemetry.DISCONNECT, "ok"));
        assertEquals(2, count(Telemetry.MOUNT, "ok"));
        assertEquals(2, count(Telemetry.UNMOUNT, "ok"));
        assertEquals(1, count(Telemetry.PROBE, "mount_unhealthy"));
        assertTrue(count(Telemetry.PROBE, "ok") >= 2);
        for (Meter m : meters.getMeters()) {
            assertEquals(List.of(Telemetry.TAG_DRIVER, Telemetry.TAG_OUTCOME), m.getId().getTags().stream().map(Tag::getKey).sorted().toList(),
                    "no other tags: " + m.getId());
        }
    }

    @Test
    void aStaleMountIsReportedOnceUntilItIsHealthyAgain() throws Exception {
        QuobyteEngine e = engine();
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        probe.results.put(dir, ProbeResult.timeout(5000));
        e.mounts();
        e.mounts();
        e.watchdogScan();
        assertEquals(1, events.topics().stream().filter(VolumeEvents.MOUNT_STALE::equals).count());
        probe.results.clear();
        e.mounts();
        probe.results.put(dir, ProbeResult.timeout(5000));
        e.mounts();
        assertEquals(2, events.topics().stream().filter(VolumeEvents.MOUNT_STALE::equals).count());
    }

    @Test
    void aRefusedUnmountAndAnExceededLimitArePostedWithTheirReason() throws Exception {
        QuobyteEngine e = engine(settings().maxMounts(1));
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        String other = "192.168.1.2/other";
        assertThrows(LimitExceededException.class, () -> e.connect(info(other, VOLUME1), new Attachment(VOLUME1, "vm2")));
        Event limit = events.last(VolumeEvents.LIMIT_EXCEEDED);
        assertEquals("max.mounts", limit.getProperty(VolumeEvents.LIMIT));
        Event failed = events.last(VolumeEvents.VOLUME_FAILED);
        assertEquals(List.of(VolumeEvents.OP_CONNECT, "LIMIT_EXCEEDED", other, VOLUME1, "vm2"), List.of(failed.getProperty(VolumeEvents.OPERATION),
                failed.getProperty(VolumeEvents.CODE), failed.getProperty(VolumeEvents.EXPORT), failed.getProperty(VolumeEvents.VOLUME),
                failed.getProperty(VolumeEvents.INSTANCE)));
        assertEquals(1, count(Telemetry.CONNECT, "limit_exceeded"));

        mounter.busy.add(dir.toString());
        assertEquals(DisconnectOutcome.BUSY, e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1")));
        assertEquals(VolumeEvents.OP_UNMOUNT, events.last(VolumeEvents.MOUNT_BUSY).getProperty(VolumeEvents.OPERATION));
        assertEquals(1, count(Telemetry.UNMOUNT, "mount_busy"));
    }

    @Test
    void noEventPropertyOrMeterTagCarriesASecretFromTheConnectionInfo() throws Exception {
        QuobyteEngine e = engine();
        List<String> exports = List.of("quobyte://admin:" + SECRET + "@" + EXPORT, "admin:" + SECRET + "@" + EXPORT,
                "quobyte://" + EXPORT + "?password=" + SECRET, EXPORT);
        for (String export : exports) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("export", export);
            data.put("name", VOLUME1);
            data.put("password", SECRET);
            data.put("auth", Map.of("token", SECRET));
            ConnectionInfo info = ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte", "data", data));
            try {
                e.connect(info, new Attachment(VOLUME1, "vm1"));
            } catch (VolumeDriverException refused) {
                assertEquals("INVALID_CONNECTION_INFO", refused.code(), export);
            }
        }
        assertEquals(3, events.topics().stream().filter(VolumeEvents.VOLUME_FAILED::equals).count());
        assertEquals("quobyte://***@" + EXPORT, events.posted().get(0).getProperty(VolumeEvents.EXPORT));
        assertTrue(events.topics().contains(VolumeEvents.VOLUME_CONNECTED), "the good export connected");
        List<String> values = new ArrayList<>();
        for (Event ev : events.posted()) {
            for (String name : ev.getPropertyNames()) {
                Object v = ev.getProperty(name);
                values.add(name + "=" + (v instanceof Object[] a ? Arrays.toString(a) : String.valueOf(v)));
            }
        }
        for (Meter m : meters.getMeters()) {
            values.add(m.getId().toString());
        }
        assertFalse(values.isEmpty());
        for (String v : values) {
            assertFalse(v.contains(SECRET), v);
        }
    }

    @Test
    void withoutTheServicesNothingIsPostedOrRecordedAndTheyMayComeAndGo() throws Exception {
        QuobyteEngine e = engine();
        telemetry.unbindEventAdmin(events);
        telemetry.unbindMeterRegistry(meters);
        e.connect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        assertEquals(List.of(), events.posted());
        assertEquals(List.of(), meters.getMeters());
        RecordingEventAdmin second = new RecordingEventAdmin();
        telemetry.bindEventAdmin(second);
        telemetry.unbindEventAdmin(events); // the old one leaving late does not unbind the new one
        e.disconnect(info(EXPORT, VOLUME1), new Attachment(VOLUME1, "vm1"));
        assertEquals(List.of(VolumeEvents.MOUNT_UNMOUNTED, VolumeEvents.VOLUME_DISCONNECTED), second.topics());
        assertEquals(List.of(), events.posted());
    }

    @Test
    void theComponentHandsItsBoundServicesToTheRunningEngine() throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mount_base", base.toString());
        config.put("watchdog_enabled", false);
        QuobyteVolumeDriver driver = new QuobyteVolumeDriver(new Fakes.Executor(table), QuobyteVolumeDriverTest.config(config));
        try {
            driver.bindEventAdmin(events);
            driver.bindMeterRegistry(meters);
            assertThrows(VolumeDriverException.class, () -> driver.connect(info("-x/y", VOLUME1), new Attachment(VOLUME1, "vm1")));
            assertEquals(List.of(VolumeEvents.VOLUME_FAILED), events.topics());
            assertEquals(1, count(Telemetry.CONNECT, "invalid_connection_info"));
            driver.unbindEventAdmin(events);
            driver.unbindMeterRegistry(meters);
            assertThrows(VolumeDriverException.class, () -> driver.connect(info("-x/y", VOLUME1), new Attachment(VOLUME1, "vm1")));
            assertEquals(1, events.posted().size());
            assertEquals(1, count(Telemetry.CONNECT, "invalid_connection_info"));
        } finally {
            driver.deactivate();
        }
    }
}
