package org.volumedriver.libvirt;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link AttachedVolumes#snapshotDelete} did.
 *
 * @param domain the domain name
 * @param targetDev the guest device
 * @param kind commit or rebase
 * @param mergedAway the absolute path of the file that left the chain; it is still on the share,
 *        and deleting it is the storage side's job
 * @param chain the disk's chain afterwards
 * @param duration how long the operation took, block job included
 */
public record MergeResult(String domain, String targetDev, MergeKind kind, String mergedAway, DiskChain chain,
        Duration duration) {

    /**
     * @param domain the domain name
     * @param targetDev the guest device
     * @param kind commit or rebase
     * @param mergedAway the file that left the chain
     * @param chain the chain afterwards
     * @param duration how long it took
     */
    public MergeResult {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(targetDev, "targetDev");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mergedAway, "mergedAway");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(duration, "duration");
    }
}
