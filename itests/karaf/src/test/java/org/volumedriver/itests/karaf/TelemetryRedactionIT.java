package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Array;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;

import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.event.Event;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeEvents;

/**
 * A password in the connection info (in {@code data.password}, and as the user information of
 * an export URL, which the Quobyte driver refuses) never reaches the outside: after a connect, a
 * refused connect and a disconnect, no event property, no attribute of any
 * {@code org.volumedriver} MBean and no line of the scrape (text and OpenMetrics) contains it, and
 * neither does karaf.log.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class TelemetryRedactionIT extends TelemetryTestSupport {

    static final String EXPORT = "registry-r.example.org:7861/redaction";
    static final String VOLUME = "volume-6a3e2a1b-5c6d-4e7f-8a9b-1c2d3e4f5a6b";
    static final String INSTANCE = "instance-redaction";
    static final String SECRET = "Tr0ub4dor-and-3-Secret";

    @Test
    public void t10_aPasswordInTheConnectionInfoIsNowhereOutside() throws Exception {
        requireRealMounts();
        String plain = connectionInfo(EXPORT, VOLUME);
        String withPassword = plain.replace("\"name\"", "\"password\":\"" + SECRET + "\",\"auth_password\":\"" + SECRET
                + "\",\"name\"");
        String userinfoExport = withPassword.replace("quobyte://" + EXPORT, "quobyte://admin:" + SECRET + "@" + EXPORT);
        assertTrue(userinfoExport.contains("admin:" + SECRET + "@"));
        List<String> seen = new ArrayList<>();
        try (EventRecorder recorder = EventRecorder.register(bundleContext)) {
            connect(withPassword, VOLUME, INSTANCE);
            recorder.await(VolumeEvents.VOLUME_CONNECTED, 30_000);
            try {
                connect(userinfoExport, VOLUME, INSTANCE + "-2");
                fail("an export with user information was connected");
            } catch (VolumeDriverException e) {
                assertFalse("the error names no secret: " + e.getMessage(), e.getMessage().contains(SECRET));
            }
            recorder.await(VolumeEvents.VOLUME_FAILED, 30_000);

            // while mounted: the MBeans and the scrape list the mount
            seen.addAll(mbeanTexts());
            seen.addAll(scrapes());

            disconnect(withPassword, VOLUME, INSTANCE);
            recorder.await(VolumeEvents.VOLUME_DISCONNECTED, 30_000);
            recorder.await(VolumeEvents.MOUNT_UNMOUNTED, 30_000);
            for (Event e : recorder.events()) {
                for (String name : e.getPropertyNames()) {
                    seen.add("event " + e.getTopic() + " " + name + "=" + e.getProperty(name));
                }
            }
        }
        seen.addAll(mbeanTexts());
        seen.addAll(scrapes());
        assertTrue("something was read: " + seen.size(), seen.size() > 50);
        // positive controls: the search would find a value that is there (the volume in events and
        // MBeans, the driver in the scrape)
        assertTrue(seen.stream().anyMatch(l -> l.startsWith("event ") && l.contains(VOLUME)));
        assertTrue(seen.stream().anyMatch(l -> l.startsWith("mbean ") && l.contains(VOLUME)));
        assertTrue(seen.stream().anyMatch(l -> l.startsWith("scrape ") && l.contains("driver=\"quobyte\"")));
        for (String line : seen) {
            assertFalse("the password leaked: " + line, line.contains(SECRET));
        }
        assertEquals(List.of(), sandboxMounts());
    }

    @Test
    public void t20_karafLogCarriesNoPasswordEither() throws Exception {
        // after the connects of t10 in the same container (PerClass)
        Path log = Paths.get(System.getProperty("karaf.log", System.getProperty("karaf.data") + "/log"), "karaf.log");
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            assertFalse("karaf.log: " + line, line.contains(SECRET));
        }
    }

    /** Every attribute of every org.volumedriver MBean, read as the admin, flattened to text. */
    private List<String> mbeanTexts() throws Exception {
        List<String> out = new ArrayList<>();
        try (JMXConnector connector = jmx(ADMIN_USER, ADMIN_PASSWORD)) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            List<ObjectName> names = new ArrayList<>(server.queryNames(new ObjectName("org.volumedriver:*"), null));
            assertTrue("volumedriver MBeans: " + names, names.size() >= 2);
            for (ObjectName name : names) {
                for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                    if (attribute.isReadable()) {
                        Object value = server.getAttribute(name, attribute.getName());
                        StringBuilder text = new StringBuilder();
                        flatten(value, text);
                        out.add("mbean " + name + " " + attribute.getName() + "=" + text);
                    }
                }
            }
        }
        return out;
    }

    private static void flatten(Object value, StringBuilder out) {
        if (value instanceof TabularData tabular) {
            for (Object row : tabular.values()) {
                flatten(row, out);
            }
        } else if (value instanceof CompositeData composite) {
            for (String key : composite.getCompositeType().keySet()) {
                out.append(key).append('=');
                flatten(composite.get(key), out);
                out.append(' ');
            }
        } else if (value instanceof Collection<?> collection) {
            for (Object element : collection) {
                flatten(element, out);
            }
        } else if (value != null && value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                flatten(Array.get(value, i), out);
            }
        } else {
            out.append(value);
        }
    }

    private List<String> scrapes() throws Exception {
        List<String> out = new ArrayList<>();
        for (String accept : new String[] {null, "application/openmetrics-text; version=1.0.0"}) {
            HttpResponse<String> response = scrape(accept);
            assertEquals(200, response.statusCode());
            for (String line : response.body().split("\n")) {
                out.add("scrape " + line);
            }
        }
        return out;
    }
}
