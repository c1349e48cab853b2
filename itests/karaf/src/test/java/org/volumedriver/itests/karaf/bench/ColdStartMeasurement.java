package org.volumedriver.itests.karaf.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.volumedriver.itests.karaf.VolumedriverTestSupport;

/**
 * Cold start of the distribution (fresh unpack, empty data/, sandbox profile) until all
 * components are satisfied: five boots, one per method, and their median.
 *
 * <p>Per boot: from the JVM's start (RuntimeMXBean) to the last log line a volumedriver bundle
 * wrote while booting (the executor, the Quobyte driver and the driver whiteboard log their
 * activation; the whiteboard's "volume driver ... registered" closes the chain). The probe then
 * checks that every component is indeed satisfied, so the number stands for "all satisfied".
 * Also recorded: JVM start to the probe's first line (Karaf's boot finished, an upper bound).
 *
 * <p>Run: {@code mvn -B -o install -pl itests/karaf -Dvolumedriver.measure=true}; results in
 * {@code itests/karaf/target/measurements/cold-start.txt} and on the test output.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ColdStartMeasurement extends VolumedriverTestSupport {

    private static boolean reset;

    @Override
    public MavenArtifactUrlReference getKarafDistribution() {
        return distribution();
    }

    @Configuration
    @Override
    public Option[] config() {
        Option[] options = combine(super.config(), sandboxProfile());
        if (!reset) {
            Measurements.reset(Measurements.file(sandboxHome(), "cold-start.txt"));
            reset = true;
        }
        return options;
    }

    @Test
    public void boot1() throws Exception {
        measure();
    }

    @Test
    public void boot2() throws Exception {
        measure();
    }

    @Test
    public void boot3() throws Exception {
        measure();
    }

    @Test
    public void boot4() throws Exception {
        measure();
    }

    @Test
    public void boot5() throws Exception {
        measure();
        Path file = Measurements.file(sandboxHome(), "cold-start.txt");
        List<Double> satisfied = Measurements.column(file, 0);
        List<Double> bootFinished = Measurements.column(file, 1);
        String summary = String.format("cold start to all components satisfied: median %.0f ms of %d boots %s; "
                + "JVM start to Karaf boot finished: median %.0f ms", Measurements.median(satisfied), satisfied.size(),
                satisfied, Measurements.median(bootFinished));
        Measurements.append(file, "# " + summary);
        System.err.println(summary);
    }

    private void measure() throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long probe = System.currentTimeMillis();
        assertEquals(List.of(), unsatisfied());

        Path log = Path.of(System.getProperty("karaf.log"), "karaf.log");
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSS");
        long last = 0;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            String[] f = line.split("\\s*\\|\\s*");
            if (f.length > 5 && f[4].contains("org.volumedriver.") && !f[3].equals("FeaturesServiceImpl")) {
                long t = LocalDateTime.parse(f[0].trim(), format).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
                last = Math.max(last, t);
            }
        }
        assertTrue("the volumedriver bundles logged their activation", last > 0);
        Measurements.append(Measurements.file(sandboxHome(), "cold-start.txt"),
                (last - jvmStart) + " " + (probe - jvmStart));
        System.err.printf("boot: all components satisfied after %d ms (boot finished after %d ms)%n",
                last - jvmStart, probe - jvmStart);
    }

    private List<String> unsatisfied() {
        ServiceComponentRuntime scr = getOsgiService(ServiceComponentRuntime.class);
        List<String> problems = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            var configurations = scr.getComponentConfigurationDTOs(d);
            if (configurations.isEmpty()) {
                problems.add(d.name);
            }
            for (ComponentConfigurationDTO c : configurations) {
                if (c.state != ComponentConfigurationDTO.SATISFIED && c.state != ComponentConfigurationDTO.ACTIVE) {
                    problems.add(d.name + " " + c.state);
                }
            }
        }
        return problems;
    }
}
