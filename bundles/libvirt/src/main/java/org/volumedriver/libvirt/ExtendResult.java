package org.volumedriver.libvirt;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link AttachedVolumes#extend} did.
 *
 * @param domain the domain name
 * @param targetDev the guest device
 * @param oldSizeBytes the disk's capacity as the guest saw it before
 * @param newSizeBytes its capacity now; equal to {@code oldSizeBytes} when it had that size already
 *        (nothing was changed then)
 * @param duration how long the operation took
 */
public record ExtendResult(String domain, String targetDev, long oldSizeBytes, long newSizeBytes, Duration duration) {

    /**
     * @param domain the domain name
     * @param targetDev the guest device
     * @param oldSizeBytes the capacity before
     * @param newSizeBytes the capacity now
     * @param duration how long it took
     */
    public ExtendResult {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(targetDev, "targetDev");
        Objects.requireNonNull(duration, "duration");
    }
}
