package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeEvents;
import org.volumedriver.testsupport.RecordingEventAdmin;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The guest events and timers of the attacher and the operations on attached volumes, and the
 * reconciler's drift events, with a recording Event Admin and Micrometer's simple registry: the
 * documented topics and properties, the timers' tags, and no secret, path or instance in a tag.
 */
class TelemetryTest extends AttachedVolumesFixture {

    static final String SECRET = "hunter2-secret";

    private final RecordingEventAdmin events = new RecordingEventAdmin();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void bound() {
        telemetry = Telemetry.with(events, meters);
        volumes.close();
        volumes = AttachedVolumesImpl.withSettings(drivers, settings(), locks, telemetry);
    }

    private long count(String timer, String driver, String outcome) {
        Timer t = meters.find(timer).tags(Telemetry.TAG_DRIVER, driver, Telemetry.TAG_OUTCOME, outcome).timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void aMessageNamingAnExportLosesItsUserInformation() {
        telemetry.failed(Telemetry.GuestOperation.ATTACH, "dir", "d", "v",
                new VolumeDriverException("MOUNT_UNHEALTHY", "quobyte://admin:" + SECRET + "@registry/v is stale\nsecond line"), 1);
        String message = (String) events.posted().get(0).getProperty(VolumeEvents.MESSAGE);
        assertEquals("quobyte://***@registry/v is stale second line", message);
    }

    static ConnectionInfo withSecrets(String name) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "dir",
                "data", Map.of("export", "dir://admin:" + SECRET + "@host/export", "name", name, "password", SECRET)));
    }

    @Test
    void attachAndDetachPostTheirEventsAndTimeThemselves() throws Exception {
        raw(BASE, 4096);
        String domain = define(false, "");
        VolumeAttacherImpl attacher = VolumeAttacherImpl.withSettings(drivers, settings(), locks, telemetry);
        try {
            attacher.attach(domain, withSecrets(BASE), new Attachment(BASE, "instance-1"), "vdb", "virtio", AttachMode.CONFIG);
            Event attached = events.topic(VolumeEvents.GUEST_ATTACHED).get(0);
            assertEquals("dir", attached.getProperty(VolumeEvents.DRIVER_TYPE));
            assertEquals(domain, attached.getProperty(VolumeEvents.DOMAIN));
            assertEquals(BASE, attached.getProperty(VolumeEvents.VOLUME));
            assertTrue(attached.getProperty(VolumeEvents.DURATION_NANOS) instanceof Long);
            assertTrue(attached.getProperty(EventConstants.TIMESTAMP) instanceof Long);
            assertEquals(1, count("volumedriver.attach", "dir", "ok"));

            // libvirt refuses a live attach to a stopped domain: the connect is undone, the failure posted
            String other = raw("volume-" + OTHER_UUID, 4096);
            HypervisorException refused = assertThrows(HypervisorException.class, () -> attacher.attach(domain, withSecrets(other),
                    new Attachment(other, "instance-2"), "vdc", "virtio", AttachMode.LIVE));
            Event failed = events.topic(VolumeEvents.GUEST_FAILED).get(0);
            assertEquals(VolumeEvents.OP_ATTACH, failed.getProperty(VolumeEvents.OPERATION));
            assertEquals(refused.code(), failed.getProperty(VolumeEvents.CODE));
            assertEquals(1, count("volumedriver.attach", "dir", "hypervisor_error"));

            attacher.detach(domain, withSecrets(BASE), new Attachment(BASE, "instance-1"), AttachMode.CONFIG);
            assertEquals(1, events.topic(VolumeEvents.GUEST_DETACHED).size());
            assertEquals(1, count("volumedriver.detach", "dir", "ok"));
        } finally {
            attacher.deactivate();
        }
        assertNoSecretAnywhere();
    }

    @Test
    void refusedOperationsPostTheFailureWithTheirCode() throws Exception {
        assertThrows(VolumeDriverException.class, () -> volumes.snapshotCreate("dom'ain\n", withSecrets(BASE), "x", "y"));
        Event badDomain = events.topic(VolumeEvents.GUEST_FAILED).get(0);
        assertEquals("INVALID_DISK_SPEC", badDomain.getProperty(VolumeEvents.CODE));
        assertEquals(VolumeEvents.OP_SNAPSHOT_CREATE, badDomain.getProperty(VolumeEvents.OPERATION));
        assertFalse(((String) badDomain.getProperty(VolumeEvents.DOMAIN)).contains("\n"), "a refused domain name is quoted");
        assertFalse(((String) badDomain.getProperty(VolumeEvents.MESSAGE)).contains("\n"));
        assertEquals(1, count("volumedriver.snapshot.create", Telemetry.NO_DRIVER, "invalid_disk_spec"), "no driver was found yet");

        assertThrows(VolumeDriverException.class, () -> volumes.snapshotDelete("d", ConnectionInfo.fromMap(Map.of(
                "driver_volume_type", "type-never-registered", "data", Map.of("name", BASE))), BASE, null, null));
        assertEquals(1, count("volumedriver.snapshot.delete", Telemetry.NO_DRIVER, "unknown_driver"), "a caller's type never is a tag");
        assertTrue(meters.getMeters().stream().noneMatch(m -> m.getId().toString().contains("never-registered")));

        raw(BASE, 4096);
        String stopped = define(false, disk("vdb", UUID, path(BASE), "raw"));
        assertThrows(HypervisorException.class, () -> volumes.extend(stopped, withSecrets(BASE), GIB));
        Event extend = events.topic(VolumeEvents.GUEST_FAILED).get(2);
        assertEquals("dir", extend.getProperty(VolumeEvents.DRIVER_TYPE));
        assertEquals(BASE, extend.getProperty(VolumeEvents.VOLUME));
        assertEquals(1, count("volumedriver.extend", "dir", "hypervisor_error"));
        assertNoSecretAnywhere();
    }

    @Test
    void eachDriftedRowOfARealReconciliationIsPosted() throws Exception {
        driver.connectedEarlier(new Attachment(BASE, "gone-instance"));
        LibvirtSettings settings = new LibvirtSettings("test:///default", Duration.ofSeconds(1), Duration.ofMillis(50),
                TestConfigs.defaultPolicy(), new LibvirtSettings.ReconcilePolicy(false, Duration.ZERO, false));
        try (LibvirtSessions sessions = LibvirtSessions.withSettings(settings)) {
            VolumeReconcilerImpl reconciler = new VolumeReconcilerImpl(drivers, sessions, Duration.ofHours(1), Duration.ofHours(1), telemetry);
            try {
                ReconcileReport dry = reconciler.reconcile(true);
                assertEquals(1, dry.count(ReconcileAction.DRIFT_KEPT), dry.rows().toString());
                assertEquals(List.of(), events.topic(VolumeEvents.RECONCILE_DRIFT), "a dry run posts nothing");
                reconciler.reconcile(false);
            } finally {
                reconciler.deactivate();
            }
        }
        List<Event> drift = events.topic(VolumeEvents.RECONCILE_DRIFT);
        assertEquals(1, drift.size());
        Event row = drift.get(0);
        assertEquals(ReconcileAction.DRIFT_KEPT.name(), row.getProperty(VolumeEvents.ACTION));
        assertEquals("dir", row.getProperty(VolumeEvents.DRIVER_TYPE));
        assertEquals(mnt.toString(), row.getProperty(VolumeEvents.MOUNT_DIRECTORY));
        assertEquals(BASE, row.getProperty(VolumeEvents.VOLUME));
        assertEquals("gone-instance", row.getProperty(VolumeEvents.INSTANCE));
        assertFalse(row.containsProperty(VolumeEvents.DOMAIN), "a drift row has no domain");
    }

    @Test
    void everyDisagreementOfRecordsAndGuestsIsNewsAndAgreementIsNot() {
        for (ReconcileAction action : ReconcileAction.values()) {
            telemetry.reconciled(new ReconcileRow(action, "", "", "i", "/m/v", "dir", "/m", "v", "why"));
        }
        assertEquals(List.of(ReconcileAction.ADOPTED.name(), ReconcileAction.DRIFT_KEPT.name(), ReconcileAction.DRIFT_RELEASED.name(),
                ReconcileAction.FAILED.name()),
                events.posted().stream().map(e -> e.getProperty(VolumeEvents.ACTION)).toList());
    }

    @Test
    void withoutServicesNothingHappens() throws Exception {
        Telemetry none = new Telemetry();
        none.done(Telemetry.GuestOperation.ATTACH, "dir", "d", "v", 1);
        none.failed(Telemetry.GuestOperation.EXTEND, null, "d", null, new IllegalStateException("x"), 1);
        none.reconciled(new ReconcileRow(ReconcileAction.DRIFT_KEPT, "", "", "i", "/m/v", "dir", "/m", "v", "why"));
        assertEquals(List.of(), events.posted());
        assertEquals(List.of(), meters.getMeters());
    }

    /** Tag values are bounded: driver types and outcomes, never an export, path, instance or secret. */
    private void assertNoSecretAnywhere() {
        for (Event event : events.posted()) {
            for (String name : event.getPropertyNames()) {
                assertFalse(String.valueOf(event.getProperty(name)).contains(SECRET), name + " of " + event.getTopic());
            }
        }
        for (Meter meter : meters.getMeters()) {
            assertFalse(meter.getId().toString().contains(SECRET), meter.getId().toString());
            meter.getId().getTags().forEach(tag -> assertTrue(List.of(Telemetry.TAG_DRIVER, Telemetry.TAG_OUTCOME).contains(tag.getKey()),
                    tag.toString()));
            meter.getId().getTags().forEach(tag -> assertFalse(tag.getValue().contains("/"), tag.toString()));
        }
    }
}
