package org.volumedriver.libvirt;

import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;

/**
 * A block job (commit, pull, copy, backup) runs on the disk; another change of its chain or size
 * must wait until it has ended. Nothing was changed.
 */
public class BlockJobActiveException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String domain;
    private final String targetDev;

    /**
     * @param domain the domain name
     * @param targetDev the guest device
     * @param jobType libvirt's {@code virDomainBlockJobType} of the running job
     */
    public BlockJobActiveException(String domain, String targetDev, int jobType) {
        super("BLOCK_JOB_ACTIVE", "domain " + Redactor.quote(domain) + " disk " + Redactor.quote(targetDev)
                + " has a block job running (libvirt job type " + jobType + "); try again when it has ended");
        this.domain = domain;
        this.targetDev = targetDev;
    }

    /** @return the domain name */
    public String domain() {
        return domain;
    }

    /** @return the guest device */
    public String targetDev() {
        return targetDev;
    }
}
