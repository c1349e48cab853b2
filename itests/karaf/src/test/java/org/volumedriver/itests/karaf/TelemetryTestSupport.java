package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.junit.After;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The distribution with its SANDBOX profile, for the tests of what the bundles tell the outside:
 * events, JMX and the metrics scrape. Adds a viewer-only login, reaches the Quobyte driver service,
 * remembers what a test connected so that a failed test leaves no attachment or mount behind,
 * and opens the real remote interfaces: Karaf's JMX RMI connector and the HTTP scrape.
 */
public abstract class TelemetryTestSupport extends VolumedriverTestSupport {

    /** A login with only the viewer role (the admin login is karaf/karaf); see etc/users-with-viewer.properties. */
    static final String VIEWER = "watcher";
    static final String VIEWER_PASSWORD = "watcher-pw";
    static final String ADMIN_USER = "karaf";
    static final String ADMIN_PASSWORD = "karaf";

    static final String DRIVER_MBEAN = "org.volumedriver:type=driver,name=quobyte";
    static final String EXECUTOR_MBEAN = "org.volumedriver:type=executor";

    private final List<Object[]> connected = new ArrayList<>();

    @Override
    public MavenArtifactUrlReference getKarafDistribution() {
        return distribution();
    }

    @Configuration
    @Override
    public Option[] config() {
        // replaces KarafTestSupport's users.properties (applied after it); an edit would be overwritten by it
        File users = Paths.get("target", "test-classes", "etc", "users-with-viewer.properties").toFile();
        return combine(combine(super.config(), sandboxProfile()), replaceConfigurationFile("etc/users.properties", users));
    }

    // ---- inside the container ----

    protected VolumeDriver quobyte() {
        VolumeDriver driver = getOsgiService(VolumeDriver.class, "(volume.driver.type=quobyte)", 30_000);
        assertNotNull("the Quobyte driver service", driver);
        return driver;
    }

    /** Connects through the driver service and remembers it for {@link #disconnectWhatIsLeft()}. */
    protected void connect(String json, String volume, String instance) throws VolumeDriverException {
        ConnectionInfo info = ConnectionInfo.fromJson(json);
        Attachment attachment = new Attachment(volume, instance);
        connected.add(new Object[] {info, attachment});
        quobyte().connect(info, attachment);
    }

    protected void disconnect(String json, String volume, String instance) throws VolumeDriverException {
        quobyte().disconnect(ConnectionInfo.fromJson(json), new Attachment(volume, instance));
    }

    @After
    public void disconnectWhatIsLeft() {
        VolumeDriver driver = quobyte();
        for (Object[] c : connected) {
            try {
                if (driver.isAttached((Attachment) c[1])) {
                    driver.disconnect((ConnectionInfo) c[0], (Attachment) c[1]);
                }
            } catch (VolumeDriverException | RuntimeException e) {
                System.err.println("cleanup disconnect: " + e);
            }
        }
        connected.clear();
        for (String line : sandboxMounts()) {
            try {
                new ProcessBuilder("/usr/bin/umount", "-l", line.split(" ")[0]).inheritIO().start().waitFor();
            } catch (IOException e) {
                System.err.println("cleanup unmount: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The one mount directory of the sandbox (a test has exactly one export mounted). */
    protected static String onlyMountDirectory() {
        List<String> mounts = sandboxMounts();
        assertEquals(mounts.toString(), 1, mounts.size());
        return mounts.get(0).split(" ")[0];
    }

    /** Kills the stand-in's client daemon of {@code export}: its mount stays, its root answers ENOTCONN. */
    protected static void killStandinDaemon(String export) throws IOException, InterruptedException {
        Path pidFile = sandboxHome().resolve("standin/store").resolve(export.replaceAll("[/:,\\[\\]|]", "_") + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.currentTimeMillis() + 10_000;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Karaf's RMI connector as a remote client sees it: both ports from the management configuration. */
    protected String jmxServiceUrl() throws IOException {
        Dictionary<String, Object> management = configurationAdmin.getConfiguration("org.apache.karaf.management", null)
                .getProperties();
        assertNotNull("org.apache.karaf.management is configured", management);
        return "service:jmx:rmi://127.0.0.1:" + management.get("rmiServerPort") + "/jndi/rmi://127.0.0.1:"
                + management.get("rmiRegistryPort") + "/karaf-root";
    }

    /** Opens a JMX connection with a login, as a remote client would. */
    protected JMXConnector jmx(String user, String password) throws IOException {
        Map<String, Object> environment = new HashMap<>();
        environment.put(JMXConnector.CREDENTIALS, new String[] {user, password});
        return JMXConnectorFactory.connect(new JMXServiceURL(jmxServiceUrl()), environment);
    }

    /** The HTTP port Pax Exam gave pax-web. */
    protected String httpPort() throws IOException {
        Dictionary<String, Object> web = configurationAdmin.getConfiguration("org.ops4j.pax.web", null).getProperties();
        assertNotNull("org.ops4j.pax.web is configured", web);
        return String.valueOf(web.get("org.osgi.service.http.port"));
    }

    /** The metrics path in force. */
    protected String metricsPath() throws IOException {
        Dictionary<String, Object> monitoring = configurationAdmin.getConfiguration("org.volumedriver.monitoring", null)
                .getProperties();
        Object path = monitoring == null ? null : monitoring.get("metrics.path");
        return path == null ? "/metrics" : path.toString();
    }

    /** GETs the scrape over HTTP (waiting for the servlet after boot) and returns the response. */
    protected HttpResponse<String> scrape(String accept) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://127.0.0.1:" + httpPort() + metricsPath());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 404 || System.currentTimeMillis() > deadline) {
                    return response;
                }
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(200);
        }
    }
}
