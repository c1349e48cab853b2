package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.karaf.itests.KarafTestSupport;
import org.junit.Assume;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.volumedriver.quobyte.internal.MountInfoParser;
import org.volumedriver.quobyte.internal.MountTable;

/**
 * Common ground of the Karaf tests: the SANDBOX profile exactly as the distribution ships it
 * (its {@code sandbox/etc} files with the work directory filled in), the FUSE stand-in for the
 * Quobyte client, the real-test switch, and helpers that read the mount table and shell errors.
 *
 * <p>{@link #config()} runs in the test JVM; everything else runs inside the container (the
 * probe), where the environment and the file system are the same machine's. The probe carries its
 * own copy of the Quobyte driver's mount-table parser (see pom.xml): the driver bundle keeps that
 * package private, and the probe never wires to a volumedriver bundle for it.
 */
public abstract class VolumedriverTestSupport extends KarafTestSupport {

    /**
     * KarafTestSupport reruns a failed test once (its Retry rule, a static switch); a failure here
     * must stay a failure, and a rerun of an ordered, stateful test only adds confusing errors.
     */
    @org.junit.Rule
    public KarafTestSupport.Retry noRetry = new KarafTestSupport.Retry(false);

    /** Set by scripts/test: tests that need root, /dev/fuse and real mounts fail instead of skipping. */
    static final String REAL_TESTS = "VOLUMEDRIVER_REAL_TESTS";

    /** Carries the sandbox work directory into the container (whose working directory differs). */
    static final String SANDBOX_HOME_PROPERTY = "volumedriver.sandbox.home";

    static final String PROJECT_VERSION = System.getProperty("project.version", "0.1.0-SNAPSHOT");

    /** The feature repository, exactly as an operator adds it to a stock Karaf. */
    protected static final String FEATURES_URL = "mvn:org.volumedriver/volumedriver-features/" + PROJECT_VERSION + "/xml/features";

    /** The bundles of the volumedriver feature. */
    protected static final List<String> BUNDLES = List.of("org.volumedriver.spi", "org.volumedriver.exec",
            "org.volumedriver.libvirt", "org.volumedriver.quobyte", "org.volumedriver.shell", "org.volumedriver.quobyte.shell",
            "org.volumedriver.monitoring");

    /** Absolute path of the sandbox work directory of this test module (target/sandbox). */
    protected static Path sandboxHome() {
        String inContainer = System.getProperty(SANDBOX_HOME_PROPERTY);
        if (inContainer != null) {
            return Paths.get(inContainer);
        }
        return Paths.get("target", "sandbox").toAbsolutePath().normalize();
    }

    /** The repository root (the surefire property, or the module directory's grandparent). */
    static Path repository() {
        String repo = System.getProperty("volumedriver.repo");
        if (repo != null && Files.isDirectory(Paths.get(repo, "features"))) {
            return Paths.get(repo);
        }
        return Paths.get("").toAbsolutePath().getParent().getParent();
    }

    /**
     * Prepares the sandbox in the test JVM: builds the stand-in, writes the distribution's sandbox
     * configuration files with the work directory filled in, and creates the mount base.
     *
     * @return options that put the sandbox configuration into the container's etc/ before it boots
     */
    protected static Option[] sandboxProfile() {
        Path home = sandboxHome();
        try {
            Files.createDirectories(home);
            Path mnt = home.resolve("mnt");
            if (Files.isDirectory(mnt) && sandboxMounts().isEmpty()) {
                // every container starts from an empty mount base: no journal of an earlier run
                try (Stream<Path> walk = Files.walk(mnt)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(mnt);
            Files.setPosixFilePermissions(mnt, PosixFilePermissions.fromString("rwxr-x---"));
            buildStandin(home.resolve("standin"));
            Path templates = repository().resolve("features/distribution/src/main/resources/sandbox/etc");
            Path etc = home.resolve("etc");
            Files.createDirectories(etc);
            List<Option> options = new ArrayList<>();
            for (String pid : List.of("org.volumedriver.exec", "org.volumedriver.quobyte", "org.volumedriver.libvirt")) {
                String text = Files.readString(templates.resolve(pid + ".cfg"), StandardCharsets.UTF_8)
                        .replace("@SANDBOX_HOME@", home.toString());
                Path cfg = etc.resolve(pid + ".cfg");
                Files.writeString(cfg, text, StandardCharsets.UTF_8);
                options.add(replaceConfigurationFile("etc/" + pid + ".cfg", cfg.toFile()));
            }
            options.add(editConfigurationFilePut("etc/system.properties", "volumedriver.profile", "sandbox"));
            options.add(editConfigurationFilePut("etc/system.properties", SANDBOX_HOME_PROPERTY, home.toString()));
            return options.toArray(new Option[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds the FUSE stand-in (gcc + libfuse3-dev) unless it is up to date. */
    static void buildStandin(Path dir) throws IOException {
        Path script = repository().resolve("itests/quobyte-standin/build.sh");
        Path source = repository().resolve("itests/quobyte-standin/quobyte-standin.c");
        Path binary = dir.resolve("quobyte-standin");
        if (Files.isExecutable(binary) && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) >= 0) {
            return;
        }
        Files.createDirectories(dir);
        try {
            Process p = new ProcessBuilder(script.toString(), dir.toString()).inheritIO().start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                // without the stand-in only the real-mount tests are affected; they check for it
                System.err.println("quobyte stand-in build failed: " + script);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the stand-in", e);
        }
    }

    protected static Option[] combine(Option[] first, Option... more) {
        return OptionUtils.combine(first, more);
    }

    /** The distribution built by features/distribution. */
    protected static MavenArtifactUrlReference distribution() {
        return maven().groupId("org.volumedriver").artifactId("volumedriver-distribution").versionAsInProject().type("tar.gz");
    }

    // ---- inside the container ----

    /** True when real mounts can be made; skips (or fails under scripts/test) otherwise. */
    protected static void requireRealMounts() {
        boolean required = "required".equals(System.getenv(REAL_TESTS));
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            missing.add("root");
        }
        if (!Files.exists(Paths.get("/dev/fuse"))) {
            missing.add("/dev/fuse");
        }
        if (!Files.isExecutable(sandboxHome().resolve("standin/quobyte-standin"))) {
            missing.add("the FUSE stand-in " + sandboxHome().resolve("standin/quobyte-standin"));
        }
        if (!missing.isEmpty()) {
            if (required) {
                fail(REAL_TESTS + "=required but missing: " + missing);
            }
            Assume.assumeTrue("real mounts need " + missing + " (set " + REAL_TESTS + "=required to fail instead)", false);
        }
        if (!required) {
            // real mounts outside scripts/test's private mount namespace would reach the host
            Assume.assumeTrue("real mounts only under " + REAL_TESTS + "=required (scripts/test)", false);
        }
    }

    /** Connection info JSON for a volume of the stand-in, creating the (sparse) volume file. */
    protected static String connectionInfo(String export, String volume) {
        Path store = sandboxHome().resolve("standin/store").resolve(export.replaceAll("[/:,\\[\\]|]", "_"));
        try {
            Files.createDirectories(store);
            Path file = store.resolve(volume);
            if (!Files.exists(file)) {
                try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(64L << 20);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "{\"driver_volume_type\":\"quobyte\",\"data\":{\"export\":\"quobyte://" + export + "\",\"name\":\"" + volume + "\"}}";
    }

    /**
     * The mounts below the sandbox mount base, as "mount point, file system type, source", sorted:
     * the mount table read by the Quobyte driver's own parser (a private copy in the probe).
     */
    protected static List<String> sandboxMounts() {
        String base = sandboxHome().resolve("mnt") + "/";
        try {
            return new MountTable.Proc().read().stream()
                    .filter(m -> m.mountPoint().startsWith(base))
                    .map(m -> m.mountPoint() + (m.deleted() ? " (deleted)" : "") + " " + m.fsType() + " " + m.source())
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MountInfoParser.MalformedMountTableException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a shell command that must fail, and returns its one error line. */
    String commandError(String command) {
        try {
            String out = executeCommand(command);
            fail("expected an error from: " + command + "\nbut got: " + out);
            return null;
        } catch (RuntimeException e) {
            String message = e.getMessage();
            assertTrue("error is one line: " + message, message != null && !message.contains("\n"));
            assertTrue("error line format: " + message, message.startsWith("Error ["));
            assertTrue("no stack trace in: " + message, !message.contains("\tat ") && !message.contains("Exception:"));
            return message;
        }
    }

    static void assertErrorCode(String code, String line) {
        assertTrue("expected Error [" + code + "] but got: " + line, line.startsWith("Error [" + code + "]"));
    }

    /** The ERROR lines of the container's karaf.log. */
    static List<String> logErrors() {
        File log = new File(System.getProperty("karaf.log", System.getProperty("karaf.data") + "/log"), "karaf.log");
        try (Stream<String> lines = Files.lines(log.toPath(), StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("| ERROR |")).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertNoLogErrors() {
        assertEquals("ERROR lines in karaf.log", List.of(), logErrors());
    }
}
