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

    /**
     * The mount at this directory is gone (unmounted, normally or lazily): a probe still blocked on
     * it must not decide about the next mount there.
     *
     * @param mountRoot the mount directory
     */
    default void forget(Path mountRoot) {
    }

    @Override
    default void close() {
    }
}
