package org.volumedriver.libvirt;

import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;

/**
 * A block job that merges a file out of a disk's chain ended without the expected chain, or did not
 * end within the configured bound and was aborted. The chain is as libvirt shows it now (for a
 * job that was aborted: unchanged); {@link AttachedVolumes#chain} tells.
 */
public class BlockJobFailedException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String domain;
    private final String targetDev;
    private final boolean timedOut;

    /**
     * @param domain the domain name
     * @param targetDev the guest device
     * @param reason what happened, one line
     * @param timedOut whether the job was aborted because it did not end within the bound
     */
    public BlockJobFailedException(String domain, String targetDev, String reason, boolean timedOut) {
        super("BLOCK_JOB_FAILED", "block job on domain " + Redactor.quote(domain) + " disk " + Redactor.quote(targetDev)
                + (timedOut ? " timed out: " : " failed: ") + reason);
        this.domain = domain;
        this.targetDev = targetDev;
        this.timedOut = timedOut;
    }

    /** @return the domain name */
    public String domain() {
        return domain;
    }

    /** @return the guest device */
    public String targetDev() {
        return targetDev;
    }

    /** @return whether the job did not end within the bound and was aborted */
    public boolean timedOut() {
        return timedOut;
    }
}
