package org.volumedriver.libvirt;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link AttachedVolumes#snapshotCreate} did.
 *
 * @param domain the domain name
 * @param snapshotId the snapshot's UUID
 * @param targetDev the guest device whose active file changed
 * @param chain the disk's chain afterwards, the new active file first
 * @param quiesced whether the guest agent froze the guest's file systems for the switch; {@code false}
 *        means crash-consistent
 * @param duration how long the operation took
 */
public record SnapshotResult(String domain, String snapshotId, String targetDev, DiskChain chain, boolean quiesced,
        Duration duration) {

    /**
     * @param domain the domain name
     * @param snapshotId the snapshot's UUID
     * @param targetDev the guest device
     * @param chain the chain afterwards
     * @param quiesced whether the guest was quiesced
     * @param duration how long it took
     */
    public SnapshotResult {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(snapshotId, "snapshotId");
        Objects.requireNonNull(targetDev, "targetDev");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(duration, "duration");
    }
}
