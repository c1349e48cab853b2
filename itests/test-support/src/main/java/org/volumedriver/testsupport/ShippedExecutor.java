package org.volumedriver.testsupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The executor configuration the product ships ({@code org.volumedriver.exec.cfg}: the production
 * allowlist and limits), with {@code mount.quobyte} pointed at a stand-in: what a driver's tests
 * need to run its commands the way the product runs them. The executor bundle reads these
 * properties itself, for example
 * {@code new ProcessCommandExecutor(ExecutorSettings.fromProperties(ShippedExecutor.properties(standin)))}.
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
     * @return the shipped executor properties with that executable
     */
    public static Map<String, Object> properties(Path mountQuobyte) {
        return properties(mountQuobyte, Map.of());
    }

    /**
     * @param mountQuobyte the executable that stands in for {@code mount.quobyte}
     * @param overrides further values, as in the {@code .cfg} file, for example
     *        {@code max.concurrent = "16"} ({@code null} removes a key)
     * @return the shipped executor properties with those changes
     */
    public static Map<String, Object> properties(Path mountQuobyte, Map<String, ?> overrides) {
        Map<String, Object> changes = new HashMap<>();
        changes.put(MOUNT_EXECUTABLE, mountQuobyte.toString());
        changes.putAll(overrides);
        return ShippedConfig.read(PID, changes);
    }
}
