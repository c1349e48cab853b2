package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * The configuration files the product ships carry exactly the allowlist of {@link ShippedAllowlist}:
 * production, and the sandbox profile that differs only in the mount.quobyte executable.
 */
class ShippedConfigurationTest {

    static final String PRODUCTION = "features/src/main/cfg/org.volumedriver.exec.cfg";
    static final String SANDBOX = "features/distribution/src/main/resources/sandbox/etc/org.volumedriver.exec.cfg";

    /** A {@code .cfg} file as Felix fileinstall reads it (Properties syntax, values as strings). */
    static Map<String, Object> read(String relative) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(ShippedAllowlist.inRepository(relative), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, Object> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        return map;
    }

    @Test
    void productionConfigurationIsTheShippedAllowlist() throws Exception {
        ExecutorSettings expected = ShippedAllowlist.builder().build();
        ExecutorSettings production = ExecutorSettings.fromProperties(read(PRODUCTION));
        assertEquals(expected, production);
        assertEquals(expected, ExecutorSettings.fromProperties(ShippedAllowlist.properties()));
        assertEquals(List.of("mount.quobyte", "umount", "systemctl", "systemd-run"),
                production.commands().stream().map(ExecutorSettings.CommandSpec::name).toList());
        assertEquals(Map.of("export", ShippedAllowlist.EXPORT_PATTERN, "mountdir", ShippedAllowlist.MOUNT_DIR_PATTERN),
                production.patterns());
    }

    @Test
    void sandboxConfigurationDiffersOnlyInTheMountExecutable() throws Exception {
        Map<String, Object> sandbox = read(SANDBOX);
        assertEquals("@SANDBOX_HOME@/standin/quobyte-standin", sandbox.get("command.mount.quobyte.executable"));
        assertEquals(ShippedAllowlist.builder().executable("mount.quobyte", "@SANDBOX_HOME@/standin/quobyte-standin").build(),
                ExecutorSettings.fromProperties(sandbox));
    }

    @Test
    void theShippedPatternsCompileAndTheFormsResolve() throws Exception {
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(ExecutorSettings.fromProperties(read(PRODUCTION)))) {
            assertEquals(4, executor.allowlist().size());
        }
        String text = Files.readString(ShippedAllowlist.inRepository(PRODUCTION), StandardCharsets.UTF_8);
        assertTrue(text.contains("--no-canonicalize") && text.contains("hung FUSE client"),
                "the reason for --no-canonicalize stays beside the umount entry");
    }
}
