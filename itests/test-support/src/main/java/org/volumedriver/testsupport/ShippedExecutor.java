package org.volumedriver.testsupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.volumedriver.exec.internal.ExecutorSettings;
import org.volumedriver.exec.internal.ProcessCommandExecutor;
import org.volumedriver.spi.InvalidConfigurationException;

/**
 * A real executor running the production allowlist of {@code org.volumedriver.exec.cfg}, with
 * {@code mount.quobyte} pointed at a stand-in: what a driver's tests need to run its commands the
 * way the product runs them.
 */
public final class ShippedExecutor {

    /** The executor's configuration PID. */
    public static final String PID = "org.volumedriver.exec";

    /** The key of the mount client's executable in the executor's configuration. */
    public static final String MOUNT_EXECUTABLE = "command.mount.quobyte.executable";

    private ShippedExecutor() {
    }

    /**
     * @param mountQuobyte the executable that stands in for {@code mount.quobyte}
     * @param overrides further values that replace the shipped ones ({@code null} removes a key)
     * @return the shipped executor properties with those changes
     */
    public static Map<String, Object> properties(Path mountQuobyte, Map<String, ?> overrides) {
        Map<String, Object> changes = new HashMap<>();
        changes.put(MOUNT_EXECUTABLE, mountQuobyte.toString());
        changes.putAll(overrides);
        return ShippedConfig.read(PID, changes);
    }

    /**
     * @param mountQuobyte the executable that stands in for {@code mount.quobyte}
     * @return the shipped settings with that executable
     * @throws InvalidConfigurationException if the shipped file cannot be read as executor settings
     */
    public static ExecutorSettings settings(Path mountQuobyte) throws InvalidConfigurationException {
        return settings(mountQuobyte, Map.of());
    }

    /**
     * @param mountQuobyte the executable that stands in for {@code mount.quobyte}
     * @param overrides further values, as in the {@code .cfg} file, for example
     *        {@code max.concurrent = "16"}
     * @return the shipped settings with those changes
     * @throws InvalidConfigurationException if a value cannot be read
     */
    public static ExecutorSettings settings(Path mountQuobyte, Map<String, ?> overrides)
            throws InvalidConfigurationException {
        return ExecutorSettings.fromProperties(properties(mountQuobyte, overrides));
    }

    /**
     * @param mountQuobyte the executable that stands in for {@code mount.quobyte}
     * @return an executor with the shipped allowlist and that executable; close it after use
     * @throws InvalidConfigurationException if the settings are malformed
     */
    public static ProcessCommandExecutor executor(Path mountQuobyte) throws InvalidConfigurationException {
        return executor(mountQuobyte, Map.of());
    }

    /**
     * @param mountQuobyte the executable that stands in for {@code mount.quobyte}
     * @param overrides further values, as in the {@code .cfg} file
     * @return an executor with the shipped allowlist and those changes; close it after use
     * @throws InvalidConfigurationException if the settings are malformed
     */
    public static ProcessCommandExecutor executor(Path mountQuobyte, Map<String, ?> overrides)
            throws InvalidConfigurationException {
        return new ProcessCommandExecutor(settings(mountQuobyte, overrides));
    }
}
