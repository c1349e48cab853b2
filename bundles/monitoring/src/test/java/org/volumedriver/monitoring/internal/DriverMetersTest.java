package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.monitoring.testing.ExpositionParser;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDriver;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

class DriverMetersTest {

    private static final String SECRET_EXPORT = "quobyte://operator:s3cr3t-pw@registry.example:7861/tenant-vol";
    private static final String OTHER_EXPORT = "quobyte://registry.example:7861/other";

    private final PrometheusMeterRegistry registry = MetricsComponent.newRegistry();
    private final MountSnapshots snapshots = new MountSnapshots(Duration.ZERO, System::nanoTime);
    private final DriverMeters meters = new DriverMeters(registry, snapshots);
    private final BoundDrivers drivers = new BoundDrivers();

    @AfterEach
    void close() {
        snapshots.close();
        registry.close();
    }

    private ExpositionParser.Exposition scrape() {
        return Scrapes.parsed(registry, () -> meters.refresh(drivers, snapshots.now() + Duration.ofSeconds(5).toNanos()));
    }

    private static ConnectionInfo info(String export, String name) throws Exception {
        return ConnectionInfo.fromMap(Map.of("driver_volume_type", "fake", "data", Map.of("export", export, "name", name)));
    }

    private static void bind(BoundDrivers drivers, VolumeDriver driver, long id) {
        drivers.add(driver, Map.of(VolumeDriver.TYPE_PROPERTY, driver.type(), "service.id", id));
    }

    @Test
    void mountsByStateAttachmentsAndCountersOfEveryDriver() throws Exception {
        FakeVolumeDriver fake = new FakeVolumeDriver("fake");
        fake.connect(info(SECRET_EXPORT, "volume-a"), new Attachment("volume-a", "instance-1"));
        fake.connect(info(SECRET_EXPORT, "volume-b"), new Attachment("volume-b", "instance-2"));
        fake.connect(info(OTHER_EXPORT, "volume-c"), new Attachment("volume-c", "instance-1"));
        fake.state(OTHER_EXPORT, MountState.STALE);
        fake.counters.put("mounts", 2L);
        fake.counters.put("mount.failures", 1L);
        bind(drivers, fake, 1);
        bind(drivers, new FakeVolumeDriver("idle"), 2);

        ExpositionParser.Exposition e = scrape();

        assertEquals("gauge", e.family("volumedriver_mounts").type());
        assertEquals(1, e.value("volumedriver_mounts", Map.of("driver", "fake", "state", "HEALTHY")));
        assertEquals(1, e.value("volumedriver_mounts", Map.of("driver", "fake", "state", "STALE")));
        assertEquals(0, e.value("volumedriver_mounts", Map.of("driver", "fake", "state", "BUSY")));
        assertEquals(0, e.value("volumedriver_mounts", Map.of("driver", "fake", "state", "NOT_MOUNTED")));
        assertEquals(0, e.value("volumedriver_mounts", Map.of("driver", "idle", "state", "HEALTHY")));
        assertEquals(3, e.value("volumedriver_attachments", Map.of("driver", "fake")));
        assertEquals(0, e.value("volumedriver_attachments", Map.of("driver", "idle")));
        assertEquals("counter", e.family("volumedriver_driver_events_total").type());
        assertEquals(2, e.value("volumedriver_driver_events_total", Map.of("driver", "fake", "counter", "mounts")));
        assertEquals(1, e.value("volumedriver_driver_events_total", Map.of("driver", "fake", "counter", "mount.failures")));
        double age = e.value("volumedriver_mounts_snapshot_age_seconds", Map.of("driver", "fake"));
        assertTrue(age >= 0 && age < 5, "age " + age);
    }

    @Test
    void labelsNeverCarryExportsPathsVolumesOrInstances() throws Exception {
        FakeVolumeDriver fake = new FakeVolumeDriver("fake");
        fake.connect(info(SECRET_EXPORT, "volume-a"), new Attachment("volume-a", "instance-1"));
        fake.counters.put("connects", 1L);
        bind(drivers, fake, 1);

        String text = Scrapes.text(registry, () -> meters.refresh(drivers, snapshots.now() + Duration.ofSeconds(5).toNanos()));

        for (String forbidden : new String[] {"s3cr3t", "operator", "registry.example", "tenant-vol", "volume-a", "instance-1",
            FakeVolumeDriver.directory(SECRET_EXPORT)}) {
            assertFalse(text.contains(forbidden), forbidden + " in\n" + text);
        }
        for (ExpositionParser.Sample s : ExpositionParser.parse(text).samples()) {
            assertTrue(Map.of().equals(s.labels()) || s.labels().keySet().stream()
                    .allMatch(k -> k.equals("driver") || k.equals("state") || k.equals("counter") || k.equals("le")), s.toString());
        }
    }

    @Test
    void newCountersAppearAndAKeyThatVanishesKeepsItsValue() throws Exception {
        FakeVolumeDriver fake = new FakeVolumeDriver("fake");
        fake.counters.put("mounts", 1L);
        bind(drivers, fake, 1);
        scrape();
        fake.counters.put("mounts", 5L);
        fake.counters.put("heals", 1L);
        ExpositionParser.Exposition e = scrape();
        assertEquals(5, e.value("volumedriver_driver_events_total", Map.of("counter", "mounts")));
        assertEquals(1, e.value("volumedriver_driver_events_total", Map.of("counter", "heals")));
        fake.counters.remove("heals");
        assertEquals(1, scrape().value("volumedriver_driver_events_total", Map.of("counter", "heals")));
    }

    @Test
    void theMetersOfADriverThatGoesAwayGoWithIt() throws Exception {
        FakeVolumeDriver fake = new FakeVolumeDriver("fake");
        fake.counters.put("mounts", 1L);
        bind(drivers, fake, 1);
        assertTrue(scrape().find("volumedriver_attachments", Map.of("driver", "fake")).isPresent());

        drivers.remove(fake);
        ExpositionParser.Exposition e = scrape();

        assertTrue(e.samples().stream().noneMatch(s -> "fake".equals(s.labels().get("driver"))), e.samples().toString());
        assertTrue(registry.find(DriverMeters.MOUNTS).meters().isEmpty());
    }

    @Test
    void aFailingDriverKeepsItsLastValuesAndDoesNotFailTheScrape() throws Exception {
        FakeVolumeDriver fake = new FakeVolumeDriver("fake") {
            private int calls;

            @Override
            public synchronized java.util.List<org.volumedriver.spi.MountStatus> mounts() {
                if (++calls > 1) {
                    throw new IllegalStateException("probe broke");
                }
                return super.mounts();
            }
        };
        fake.connect(info(OTHER_EXPORT, "volume-c"), new Attachment("volume-c", "instance-1"));
        bind(drivers, fake, 1);
        assertEquals(1, scrape().value("volumedriver_attachments", Map.of("driver", "fake")));
        assertEquals(1, scrape().value("volumedriver_attachments", Map.of("driver", "fake")));
    }
}
