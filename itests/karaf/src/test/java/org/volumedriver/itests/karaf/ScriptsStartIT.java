package org.volumedriver.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.Assume;
import org.junit.Test;
import org.volumedriver.quobyte.internal.MountEntry;
import org.volumedriver.quobyte.internal.MountTable;

/**
 * README's first quick-start command as an operator uses it without a terminal:
 * {@code scripts/start --background}, commands through {@code scripts/start --client} (the
 * documented login), {@code scripts/start --stop}. Checks that the SANDBOX profile is named in
 * the banner and in every log line, that a volume really mounts through the stand-in, that a bad
 * request is one error line, and that stopping leaves no process and no mount.
 *
 * <p>Needs root and real mounts: runs under {@code VOLUMEDRIVER_REAL_TESTS=required} (scripts/test,
 * private mount namespace); skipped otherwise. Boots one Karaf.
 */
public class ScriptsStartIT {

    private static final String EXPORT = "sandbox-registry:7861/demo";
    private static final String VOLUME = "volume-5a1dbe77-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    private static final String INFO = "{\"driver_volume_type\":\"quobyte\",\"data\":{\"export\":\"quobyte://" + EXPORT
            + "\",\"name\":\"" + VOLUME + "\"}}";

    private final Path repo = VolumedriverTestSupport.repository();
    private final Path work = Paths.get("target", "start-sandbox").toAbsolutePath();
    private String port;

    @Test
    public void backgroundSandboxClientAndStop() throws Exception {
        if (!"required".equals(System.getenv(VolumedriverTestSupport.REAL_TESTS))) {
            Assume.assumeTrue("scripts/start mounts for real: only under " + VolumedriverTestSupport.REAL_TESTS + "=required", false);
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            fail(VolumedriverTestSupport.REAL_TESTS + "=required but not root");
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = Integer.toString(s.getLocalPort());
        }
        if (Files.isDirectory(work.resolve("karaf"))) {
            run(60, "--stop");
            run(30, "/bin/rm", "-rf", work.toString());
        }
        try {
            Result started = run(240, "--background");
            assertEquals(started.output, 0, started.exit);
            assertTrue(started.output, started.output.contains("SANDBOX PROFILE"));

            Path karaf = work.resolve("karaf");
            assertTrue(Files.readString(karaf.resolve("etc/branding.properties")).contains("SANDBOX PROFILE"));
            List<String> logLines = Files.readAllLines(karaf.resolve("data/log/karaf.log"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.matches("^(SANDBOX \\| )?\\d{4}-\\d\\d-\\d\\dT.*")).collect(Collectors.toList());
            assertFalse(logLines.isEmpty());
            assertEquals("every log line names the sandbox", List.of(),
                    logLines.stream().filter(l -> !l.startsWith("SANDBOX | ")).collect(Collectors.toList()));
            assertEquals("sandbox", Files.readAllLines(karaf.resolve("etc/system.properties")).stream()
                    .filter(l -> l.startsWith("volumedriver.profile")).map(l -> l.replaceAll(".*=\\s*", "")).findFirst().orElse(""));

            assertTrue(client("volume:drivers").output.contains("quobyte"));
            Result connected = client("volume:connect demo-instance '" + INFO + "'");
            assertTrue(connected.output, connected.output.contains("Connected"));
            assertEquals(1, mounts().size());
            assertTrue(client("volume:mounts").output.contains("HEALTHY"));

            Result vmdk = client("volume:connect demo-instance '" + INFO.replace("\"name\"", "\"format\":\"vmdk\",\"name\"") + "'");
            assertNotEquals(0, vmdk.exit);
            assertTrue(vmdk.output, vmdk.output.strip().startsWith("Error [UNSUPPORTED_FORMAT]"));
            assertEquals(vmdk.output, 1, vmdk.output.strip().lines().count());

            Result disconnected = client("volume:disconnect demo-instance '" + INFO + "'");
            assertTrue(disconnected.output, disconnected.output.contains("UNMOUNTED"));
            assertEquals(List.of(), mounts());
            // left mounted on purpose: --stop must clean it up
            client("volume:connect demo-instance '" + INFO + "'");
            assertEquals(1, mounts().size());
        } finally {
            Result stopped = run(120, "--stop");
            assertEquals(stopped.output, 0, stopped.exit);
        }
        assertEquals("no mount after --stop", List.of(), mounts());
        assertFalse("Karaf stopped", ProcessHandle.allProcesses()
                .anyMatch(p -> p.info().commandLine().orElse("").contains(work.resolve("karaf").toString() + " ")
                        || p.info().commandLine().orElse("").contains("-Dkaraf.home=" + work.resolve("karaf"))));
    }

    private Result client(String command) throws Exception {
        return run(120, "--client", command);
    }

    private List<String> mounts() throws Exception {
        String base = work.resolve("mnt") + "/";
        return new MountTable.Proc().read().stream().map(MountEntry::mountPoint).filter(p -> p.startsWith(base))
                .collect(Collectors.toList());
    }

    private Result run(int timeoutSeconds, String... args) throws Exception {
        List<String> argv = new ArrayList<>();
        if (!args[0].startsWith("/")) {
            argv.add(repo.resolve("scripts/start").toString());
        }
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().put("VOLUMEDRIVER_SANDBOX_DIR", work.toString());
        if (port != null) {
            pb.environment().put("VOLUMEDRIVER_SSH_PORT", port);
        }
        Path out = Files.createTempFile("scripts-start", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("scripts/start " + String.join(" ", args) + " timed out:\n" + Files.readString(out));
        }
        String output = Files.readString(out);
        Files.delete(out);
        System.err.println("scripts/start " + String.join(" ", args) + " -> " + p.exitValue() + "\n" + output);
        return new Result(p.exitValue(), output);
    }

    private static final class Result {
        final int exit;
        final String output;

        Result(int exit, String output) {
            this.exit = exit;
            this.output = output;
        }
    }
}
