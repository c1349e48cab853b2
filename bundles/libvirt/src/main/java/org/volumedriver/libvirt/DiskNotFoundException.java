package org.volumedriver.libvirt;

import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The domain has no disk of the volume: no disk with the serial the driver describes (or, for a
 * driver without serials, with the volume's source path). Nothing was changed.
 */
public class DiskNotFoundException extends VolumeDriverException {

    private static final long serialVersionUID = 1L;

    private final String domain;

    /**
     * @param domain the domain name
     * @param disk how the disk was looked for, for example {@code serial 'abc'}; quoted by the caller
     */
    public DiskNotFoundException(String domain, String disk) {
        super("DISK_NOT_FOUND", "domain " + Redactor.quote(domain) + " has no disk with " + disk);
        this.domain = domain;
    }

    /** @return the domain name */
    public String domain() {
        return domain;
    }
}
