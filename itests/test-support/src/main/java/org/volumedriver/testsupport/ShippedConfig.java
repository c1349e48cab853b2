package org.volumedriver.testsupport;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The configuration files the product ships in {@value #DIRECTORY} (installed as
 * {@code etc/<pid>.cfg} by the {@code volumedriver} feature), read with the syntax of Felix
 * fileinstall: Properties syntax, every value a string.
 */
public final class ShippedConfig {

    /** Where the shipped files live, relative to the repository root. */
    public static final String DIRECTORY = "features/src/main/cfg";

    /** A system property naming the repository root, for a working directory outside of it. */
    public static final String REPOSITORY_PROPERTY = "volumedriver.repo";

    private ShippedConfig() {
    }

    /**
     * @return the repository root: {@value #REPOSITORY_PROPERTY} if set, otherwise the nearest
     *         directory at or above the working directory that holds {@value #DIRECTORY}
     */
    public static Path repositoryRoot() {
        String configured = System.getProperty(REPOSITORY_PROPERTY);
        if (configured != null && Files.isDirectory(Path.of(configured, DIRECTORY))) {
            return Path.of(configured).toAbsolutePath();
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(DIRECTORY))) {
                return dir;
            }
        }
        throw new IllegalStateException("no " + DIRECTORY + " at or above " + start + " (set -D" + REPOSITORY_PROPERTY + ")");
    }

    /**
     * @param pid the configuration PID, for example {@code org.volumedriver.exec}
     * @return the shipped file of that PID
     */
    public static Path file(String pid) {
        Path file = repositoryRoot().resolve(DIRECTORY).resolve(pid + ".cfg");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no shipped configuration for PID " + pid + ": " + file);
        }
        return file;
    }

    /**
     * @param pid the configuration PID
     * @return its shipped properties, as ConfigAdmin hands them to the component (sorted by key)
     */
    public static Map<String, Object> read(String pid) {
        return read(pid, Map.of());
    }

    /**
     * @param pid the configuration PID
     * @param overrides values that replace or add to the shipped ones; a {@code null} value removes
     *        the key
     * @return the shipped properties with the overrides applied (sorted by key)
     */
    public static Map<String, Object> read(String pid, Map<String, ?> overrides) {
        Map<String, Object> values = load(file(pid));
        overrides.forEach((key, value) -> {
            if (value == null) {
                values.remove(key);
            } else {
                values.put(key, value);
            }
        });
        return values;
    }

    /**
     * @param file any configuration file in the syntax of Felix fileinstall, for example a profile's
     *        {@code etc/<pid>.cfg} template
     * @return its properties (sorted by key, modifiable)
     */
    public static Map<String, Object> load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, Object> values = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
        return values;
    }
}
