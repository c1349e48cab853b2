package org.volumedriver.monitoring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.volumedriver.monitoring.testing.ExpositionParser;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDriver;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** mounts() may probe and hang: a scrape is bounded, a driver is asked at most once per cache period. */
class MountSnapshotsTest {

    /** A driver whose mounts() counts its calls and, once held, hangs until released. */
    private static final class SlowDriver extends FakeVolumeDriver {
        final AtomicInteger calls = new AtomicInteger();
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile int attachments = 1;

        SlowDriver() {
            super("slow");
        }

        @Override
        public List<MountStatus> mounts() {
            calls.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            java.util.Set<Attachment> a = new java.util.TreeSet<>();
            for (int i = 0; i < attachments; i++) {
                a.add(new Attachment("volume-" + i, "instance-" + i));
            }
            return List.of(new MountStatus("slow", "registry/slow", "/base/slow", MountState.HEALTHY, a, Instant.EPOCH, null));
        }
    }

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final SlowDriver driver = new SlowDriver();
    private final BoundDrivers drivers = new BoundDrivers();
    private final PrometheusMeterRegistry registry = MetricsComponent.newRegistry();
    private MountSnapshots snapshots;

    @AfterEach
    void close() {
        driver.gate.countDown();
        if (snapshots != null) {
            snapshots.close();
        }
        registry.close();
    }

    private ExpositionParser.Exposition scrape(DriverMeters meters, Duration timeout) {
        return Scrapes.parsed(registry, () -> meters.refresh(drivers, snapshots.now() + timeout.toNanos()));
    }

    @Test
    void aDriverIsAskedAtMostOncePerCachePeriod() {
        snapshots = new MountSnapshots(Duration.ofSeconds(10), clock::get);
        DriverMeters meters = new DriverMeters(registry, snapshots);
        drivers.add(driver, Map.of(VolumeDriver.TYPE_PROPERTY, "slow"));

        scrape(meters, Duration.ofSeconds(5));
        driver.attachments = 3;
        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        ExpositionParser.Exposition cached = scrape(meters, Duration.ofSeconds(5));
        assertEquals(1, driver.calls.get());
        assertEquals(1, cached.value("volumedriver_attachments", Map.of("driver", "slow")));
        assertEquals(9, cached.value("volumedriver_mounts_snapshot_age_seconds", Map.of("driver", "slow")));

        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        ExpositionParser.Exposition fresh = scrape(meters, Duration.ofSeconds(5));
        assertEquals(2, driver.calls.get());
        assertEquals(3, fresh.value("volumedriver_attachments", Map.of("driver", "slow")));
    }

    @Test
    void aHangingProbeBoundsTheScrapeAndTheLastAnswerIsServed() throws Exception {
        snapshots = new MountSnapshots(Duration.ZERO, System::nanoTime);
        DriverMeters meters = new DriverMeters(registry, snapshots);
        drivers.add(driver, Map.of(VolumeDriver.TYPE_PROPERTY, "slow"));
        assertEquals(1, scrape(meters, Duration.ofSeconds(5)).value("volumedriver_attachments", Map.of("driver", "slow")));

        driver.gate = new CountDownLatch(1);
        driver.attachments = 2;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            ExpositionParser.Exposition e = scrape(meters, Duration.ofMillis(200));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took < 2_000, "scrape took " + took + " ms");
            assertEquals(1, e.value("volumedriver_attachments", Map.of("driver", "slow")));
        }
        // the hanging call is not repeated while it hangs
        assertEquals(2, driver.calls.get());

        driver.gate.countDown();
        assertEquals(2, scrape(meters, Duration.ofSeconds(5)).value("volumedriver_attachments", Map.of("driver", "slow")));
    }

    @Test
    void aDriverThatNeverAnsweredShowsNaNNotZero() {
        snapshots = new MountSnapshots(Duration.ZERO, System::nanoTime);
        DriverMeters meters = new DriverMeters(registry, snapshots);
        driver.gate = new CountDownLatch(1);
        drivers.add(driver, Map.of(VolumeDriver.TYPE_PROPERTY, "slow"));
        ExpositionParser.Exposition e = scrape(meters, Duration.ofMillis(100));
        assertTrue(Double.isNaN(e.value("volumedriver_attachments", Map.of("driver", "slow"))));
        assertTrue(Double.isNaN(e.value("volumedriver_mounts", Map.of("driver", "slow", "state", "HEALTHY"))));
        assertEquals(1, driver.calls.get());
    }
}
