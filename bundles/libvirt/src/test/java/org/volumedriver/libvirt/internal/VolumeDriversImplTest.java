package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.testsupport.FakeVolumeDriver;

/** The whiteboard logic: by type, ranking, removal, and lookups racing with (un)registration. */
class VolumeDriversImplTest {

    private static Map<String, Object> props(long id, String type, Integer ranking) {
        Map<String, Object> p = new java.util.HashMap<>();
        p.put("service.id", id);
        if (type != null) {
            p.put(VolumeDriver.TYPE_PROPERTY, type);
        }
        if (ranking != null) {
            p.put("service.ranking", ranking);
        }
        return p;
    }

    @Test
    void unknownTypesListWhatIsAvailable() {
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        drivers.addDriver(new FakeVolumeDriver("quobyte"), props(1, "quobyte", null));
        drivers.addDriver(new FakeVolumeDriver("nfs"), props(2, "nfs", null));
        UnknownDriverException e = assertThrows(UnknownDriverException.class, () -> drivers.driver("iscsi"));
        assertEquals(List.of("nfs", "quobyte"), e.available());
        assertEquals("UNKNOWN_DRIVER", e.code());
        assertEquals(Set.of("nfs", "quobyte"), drivers.types());
    }

    @Test
    void typeIsComparedExactly() {
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        drivers.addDriver(new FakeVolumeDriver("quobyte"), props(1, "quobyte", null));
        assertThrows(UnknownDriverException.class, () -> drivers.driver("Quobyte"));
        assertThrows(UnknownDriverException.class, () -> drivers.driver("quobyte "));
        assertThrows(UnknownDriverException.class, () -> drivers.driver(null));
    }

    @Test
    void highestRankingWinsAndRemovalFallsBack() throws Exception {
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        FakeVolumeDriver old = new FakeVolumeDriver("quobyte");
        FakeVolumeDriver updated = new FakeVolumeDriver("quobyte");
        drivers.addDriver(old, props(1, "quobyte", null));
        drivers.addDriver(updated, props(2, "quobyte", 10));
        assertSame(updated, drivers.driver("quobyte"));
        drivers.removeDriver(updated, props(2, "quobyte", 10));
        assertSame(old, drivers.driver("quobyte"));
        drivers.removeDriver(old, props(1, "quobyte", null));
        assertThrows(UnknownDriverException.class, () -> drivers.driver("quobyte"));
    }

    @Test
    void aChangedTypePropertyMovesTheDriver() throws Exception {
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        FakeVolumeDriver d = new FakeVolumeDriver("quobyte");
        drivers.addDriver(d, props(1, "quobyte", null));
        drivers.updatedDriver(d, props(1, "quobyte2", null));
        assertThrows(UnknownDriverException.class, () -> drivers.driver("quobyte"));
        assertSame(d, drivers.driver("quobyte2"));
    }

    @Test
    void servicesWithoutTypeAreIgnored() {
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        drivers.addDriver(new FakeVolumeDriver("x"), props(1, null, null));
        Map<String, Object> wrongType = props(2, null, null);
        wrongType.put(VolumeDriver.TYPE_PROPERTY, 42);
        drivers.addDriver(new FakeVolumeDriver("x"), wrongType);
        assertEquals(Set.of(), drivers.types());
    }

    @Test
    void lookupsRaceSafelyWithRegistrationChanges() throws Exception {
        VolumeDriversImpl drivers = new VolumeDriversImpl();
        FakeVolumeDriver stable = new FakeVolumeDriver("quobyte");
        drivers.addDriver(stable, props(1, "quobyte", null));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            Future<Integer> churn = pool.submit(() -> {
                start.await();
                for (int i = 0; i < 20_000; i++) {
                    FakeVolumeDriver d = new FakeVolumeDriver("quobyte");
                    drivers.addDriver(d, props(100 + i, "quobyte", 5));
                    drivers.removeDriver(d, props(100 + i, "quobyte", 5));
                }
                return 0;
            });
            Future<List<VolumeDriver>> lookups = pool.submit(() -> {
                start.await();
                List<VolumeDriver> seen = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    seen.add(drivers.driver("quobyte"));
                }
                return seen;
            });
            start.countDown();
            churn.get(30, TimeUnit.SECONDS);
            // every lookup found a driver: the stable one or a churned one, never an error
            assertEquals(20_000, lookups.get(30, TimeUnit.SECONDS).size());
            assertSame(stable, drivers.driver("quobyte"));
        } finally {
            pool.shutdownNow();
        }
    }
}
