package org.volumedriver.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.felix.utils.properties.TypedProperties;
import org.junit.jupiter.api.Test;

class ShippedConfigTest {

    @Test
    void theRepositoryRootIsFoundFromTheModuleDirectory() {
        Path root = ShippedConfig.repositoryRoot();
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")), root.toString());
        assertTrue(Files.isDirectory(root.resolve("itests/test-support")), root.toString());
    }

    @Test
    void everyShippedFileReadsAsKarafReadsIt() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(ShippedConfig.repositoryRoot().resolve(ShippedConfig.DIRECTORY))) {
            files = s.filter(f -> f.toString().endsWith(".cfg")).sorted().toList();
        }
        assertTrue(files.size() >= 3, files.toString());
        for (Path file : files) {
            String pid = file.getFileName().toString().replaceFirst("\\.cfg$", "");
            // fileinstall's reader: escapes, continuation lines and ${...} substitution as in Karaf
            TypedProperties karaf = new TypedProperties();
            karaf.load(file.toFile());
            Map<String, Object> expected = new HashMap<>();
            karaf.keySet().forEach(k -> expected.put(k, karaf.get(k)));
            assertEquals(expected, ShippedConfig.read(pid), pid);
        }
    }

    @Test
    void overridesReplaceAddAndRemove() {
        Map<String, Object> shipped = ShippedConfig.read(ShippedExecutor.PID);
        assertEquals("8", shipped.get("max.concurrent"));
        Map<String, Object> changes = new HashMap<>();
        changes.put("max.concurrent", "16");
        changes.put("root.helper", "/usr/bin/sudo -n");
        changes.put("command.systemctl.forms", null);
        Map<String, Object> changed = ShippedConfig.read(ShippedExecutor.PID, changes);
        assertEquals("16", changed.get("max.concurrent"));
        assertEquals("/usr/bin/sudo -n", changed.get("root.helper"));
        assertFalse(changed.containsKey("command.systemctl.forms"));
        assertEquals(shipped.get("commands"), changed.get("commands"));
    }

    @Test
    void anUnknownPidIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShippedConfig.read("org.example.none"));
        assertTrue(e.getMessage().contains("org.example.none"), e.getMessage());
    }
}
