package org.volumedriver.itests.karaf.bench;

import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import org.apache.karaf.features.FeaturesService;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.volumedriver.itests.karaf.VolumedriverTestSupport;

/**
 * {@code feature:install volumedriver} into a running STOCK Karaf 4.4.10, and the heap the
 * features retain: five fresh containers, one per method, and the medians.
 *
 * <p>Per container: used heap after repeated GC (MemoryMXBean) before the install; the time of
 * {@code FeaturesService.installFeature("volumedriver")} (what the command calls) until the
 * Quobyte driver, the driver whiteboard, the attacher and the shell commands are registered;
 * used heap after GC again. Retained heap = after - before (it includes what Karaf itself keeps
 * for the new bundles: wirings, class metadata held on the heap, the resolver's caches).
 *
 * <p>Run: {@code mvn -B -o install -pl itests/karaf -Dvolumedriver.measure=true}; results in
 * {@code itests/karaf/target/measurements/footprint.txt} and on the test output.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FootprintMeasurement extends VolumedriverTestSupport {

    private static boolean reset;

    @Configuration
    @Override
    public Option[] config() {
        Option[] options = combine(super.config(), sandboxProfile());
        if (!reset) {
            Measurements.reset(Measurements.file(sandboxHome(), "footprint.txt"));
            reset = true;
        }
        return options;
    }

    @Test
    public void install1() throws Exception {
        measure();
    }

    @Test
    public void install2() throws Exception {
        measure();
    }

    @Test
    public void install3() throws Exception {
        measure();
    }

    @Test
    public void install4() throws Exception {
        measure();
    }

    @Test
    public void install5() throws Exception {
        measure();
        Path file = Measurements.file(sandboxHome(), "footprint.txt");
        List<Double> millis = Measurements.column(file, 0);
        List<Double> retained = Measurements.column(file, 1);
        String summary = String.format("feature:install volumedriver into a running stock Karaf: median %.0f ms %s; "
                + "heap retained after install: median %.1f MiB %s", Measurements.median(millis), millis,
                Measurements.median(retained) / 1024 / 1024, retained);
        Measurements.append(file, "# " + summary);
        System.err.println(summary);
    }

    private void measure() throws Exception {
        long before = Measurements.settledUsedHeap();
        featureService.addRepository(URI.create(FEATURES_URL));
        long start = System.nanoTime();
        featureService.installFeature("volumedriver", EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
        long deadline = System.currentTimeMillis() + 60_000;
        for (String filter : List.of("(&(objectClass=org.volumedriver.spi.VolumeDriver)(volume.driver.type=quobyte))",
                "(objectClass=org.volumedriver.spi.VolumeDrivers)", "(objectClass=org.volumedriver.libvirt.VolumeAttacher)")) {
            while (bundleContext.getServiceReferences((String) null, filter) == null) {
                assertTrue("no service " + filter, System.currentTimeMillis() < deadline);
                Thread.sleep(5);
            }
        }
        while (sessionFactory.getRegistry().getCommand("volume", "connect") == null
                || sessionFactory.getRegistry().getCommand("quobyte", "heal") == null) {
            assertTrue("no shell commands", System.currentTimeMillis() < deadline);
            Thread.sleep(5);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        long after = Measurements.settledUsedHeap();
        Measurements.append(Measurements.file(sandboxHome(), "footprint.txt"), millis + " " + (after - before));
        System.err.printf("install: %d ms, heap retained %d bytes (%d -> %d)%n", millis, after - before, before, after);
    }
}
