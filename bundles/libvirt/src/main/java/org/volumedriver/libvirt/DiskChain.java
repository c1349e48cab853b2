package org.volumedriver.libvirt;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A guest disk and its backing chain, as libvirt describes it.
 *
 * @param domain the domain name
 * @param targetDev the guest device, for example {@code vdb}
 * @param serial the disk's serial, if it has one
 * @param links the chain: {@code links.get(0)} is the active file, each next one the backing file
 *        of the one before; never empty
 */
public record DiskChain(String domain, String targetDev, Optional<String> serial, List<ChainLink> links) {

    /**
     * @param domain the domain name
     * @param targetDev the guest device
     * @param serial the serial
     * @param links the chain, active file first; copied
     */
    public DiskChain {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(targetDev, "targetDev");
        Objects.requireNonNull(serial, "serial");
        links = List.copyOf(links);
        if (links.isEmpty()) {
            throw new IllegalArgumentException("a disk chain has at least its active file");
        }
    }

    /** @return the active file: the one the guest writes to */
    public ChainLink active() {
        return links.get(0);
    }
}
