package org.volumedriver.exec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.volumedriver.testsupport.ShippedConfig;
import org.volumedriver.testsupport.ShippedExecutor;

/**
 * The configuration files the product ships carry exactly the allowlist of {@link ShippedAllowlist}:
 * production, and the sandbox profile that differs only in the mount.quobyte executable.
 */
class ShippedConfigurationTest {

    static final String SANDBOX = "features/distribution/src/main/resources/sandbox/etc/org.volumedriver.exec.cfg";

    /** The sandbox profile's file as Felix fileinstall reads it. */
    static Map<String, Object> sandbox() {
        return ShippedConfig.load(ShippedConfig.repositoryRoot().resolve(SANDBOX));
    }

    @Test
    void productionConfigurationIsTheShippedAllowlist() throws Exception {
        ExecutorSettings expected = ShippedAllowlist.builder().build();
        ExecutorSettings production = ExecutorSettings.fromProperties(ShippedConfig.read(ShippedExecutor.PID));
        assertEquals(expected, production);
        assertEquals(expected, ExecutorSettings.fromProperties(ShippedAllowlist.properties()));
        assertEquals(ShippedAllowlist.NAMES, production.commands().stream().map(ExecutorSettings.CommandSpec::name).toList());
        assertEquals(Map.of("export", ShippedAllowlist.EXPORT_PATTERN, "mountdir", ShippedAllowlist.MOUNT_DIR_PATTERN,
                "scopeunit", ShippedAllowlist.SCOPE_UNIT_PATTERN, "fuseabort", ShippedAllowlist.FUSE_ABORT_PATTERN),
                production.patterns());
    }

    @Test
    void sandboxConfigurationDiffersOnlyInTheMountExecutable() throws Exception {
        Map<String, Object> sandbox = sandbox();
        assertEquals("@SANDBOX_HOME@/standin/quobyte-standin", sandbox.get("command.mount.quobyte.executable"));
        assertEquals(ShippedAllowlist.builder().executable("mount.quobyte", "@SANDBOX_HOME@/standin/quobyte-standin").build(),
                ExecutorSettings.fromProperties(sandbox));
    }

    @Test
    void theShippedPatternsCompileAndTheFormsResolve() throws Exception {
        ExecutorSettings production = ExecutorSettings.fromProperties(ShippedConfig.read(ShippedExecutor.PID));
        try (ProcessCommandExecutor executor = new ProcessCommandExecutor(production)) {
            assertEquals(ShippedAllowlist.NAMES.size(), executor.allowlist().size());
        }
        String text = Files.readString(ShippedConfig.file(ShippedExecutor.PID), StandardCharsets.UTF_8);
        assertTrue(text.contains("--no-canonicalize") && text.contains("hung FUSE client"),
                "the reason for --no-canonicalize stays beside the umount entry");
    }
}
