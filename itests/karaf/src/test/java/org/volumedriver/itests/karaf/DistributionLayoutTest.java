package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The distribution tar.gz as shipped, without booting it: production configuration (the sandbox
 * is never active unless chosen), SSH on loopback, the documented login, root allowed, every
 * volumedriver feature booted, and the sandbox profile's files on the side.
 */
public class DistributionLayoutTest {

    private static Path root;

    @BeforeClass
    public static void unpack() throws Exception {
        String version = System.getProperty("project.version", "0.1.0-SNAPSHOT");
        Path tarball = Paths.get(System.getProperty("org.ops4j.pax.url.mvn.localRepository",
                System.getProperty("user.home") + "/.m2/repository"),
                "org/volumedriver/volumedriver-distribution", version, "volumedriver-distribution-" + version + ".tar.gz");
        assertTrue("distribution installed: " + tarball, Files.isRegularFile(tarball));
        Path dir = Paths.get("target", "layout").toAbsolutePath();
        if (Files.isDirectory(dir)) {
            new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start().waitFor();
        }
        Files.createDirectories(dir);
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString(), "--strip-components=1")
                .inheritIO().start();
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, tar.exitValue());
        root = dir;
    }

    private static Properties load(String path) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(root.resolve(path), StandardCharsets.ISO_8859_1)) {
            p.load(r);
        }
        return p;
    }

    @Test
    public void productionConfigurationIsTheDefault() throws IOException {
        assertEquals("/usr/bin/mount.quobyte", load("etc/org.volumedriver.exec.cfg").getProperty("command.mount.quobyte.executable"));
        Properties quobyte = load("etc/org.volumedriver.quobyte.cfg");
        assertEquals("/var/lib/volumedriver/quobyte/mnt", quobyte.getProperty("mount.base"));
        assertEquals("auto", quobyte.getProperty("systemd.mode"));
        assertEquals("qemu:///system", load("etc/org.volumedriver.libvirt.cfg").getProperty("uri"));
        assertNull("no profile marker", load("etc/system.properties").getProperty("volumedriver.profile"));
        assertFalse(Files.readString(root.resolve("etc/branding.properties")).contains("SANDBOX"));
        assertFalse(Files.readString(root.resolve("etc/org.ops4j.pax.logging.cfg")).contains("SANDBOX"));
    }

    @Test
    public void sandboxProfileShipsBesideIt() throws IOException {
        assertTrue(load("sandbox/etc/org.volumedriver.exec.cfg").getProperty("command.mount.quobyte.executable")
                .endsWith("/standin/quobyte-standin"));
        assertEquals("off", load("sandbox/etc/org.volumedriver.quobyte.cfg").getProperty("systemd.mode"));
        assertEquals("test:///default", load("sandbox/etc/org.volumedriver.libvirt.cfg").getProperty("uri"));
        assertTrue(Files.readString(root.resolve("sandbox/etc/branding.properties")).contains("SANDBOX PROFILE"));
    }

    @Test
    public void sshOnLoopbackWithTheDocumentedLoginAndRootAllowed() throws IOException {
        assertEquals("127.0.0.1", load("etc/org.apache.karaf.shell.cfg").getProperty("sshHost"));
        String karaf = load("etc/users.properties").getProperty("karaf");
        assertNotNull(karaf);
        assertTrue(karaf, karaf.startsWith("karaf,") && karaf.contains("admingroup"));
        for (String script : new String[] {"bin/setenv", "bin/inc", "bin/karaf"}) {
            File f = root.resolve(script).toFile();
            if (f.exists()) {
                for (String line : Files.readAllLines(f.toPath())) {
                    assertFalse(script + " sets KARAF_NOROOT: " + line, line.matches("\\s*(export\\s+)?KARAF_NOROOT=.*"));
                }
            }
        }
    }

    @Test
    public void everyVolumedriverFeatureIsBooted() throws IOException {
        Properties features = load("etc/org.apache.karaf.features.cfg");
        assertTrue(features.getProperty("featuresBoot"), features.getProperty("featuresBoot").contains("volumedriver/"));
        assertTrue(features.getProperty("featuresBoot").contains("scr/"));
        assertTrue(features.getProperty("featuresRepositories").contains("mvn:org.volumedriver/volumedriver-features/"));
        for (String artifact : new String[] {"volumedriver-spi", "volumedriver-exec", "volumedriver-libvirt",
                "volumedriver-quobyte", "volumedriver-shell", "volumedriver-quobyte-shell"}) {
            assertTrue(artifact, Files.isDirectory(root.resolve("system/org/volumedriver").resolve(artifact)));
        }
        try (var jna = Files.list(root.resolve("system/net/java/dev/jna/jna"))) {
            assertEquals("one JNA version", 1, jna.count());
        }
    }
}
