package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.time.Duration;

/** Probes the root of a mount (D2). Implementations never block the caller beyond the timeout. */
public interface HealthProbe extends AutoCloseable {

    /**
     * @param mountRoot the mount directory
     * @param timeout how long the caller waits at most
     * @return the verdict
     */
    ProbeResult probe(Path mountRoot, Duration timeout);

    @Override
    default void close() {
    }
}
