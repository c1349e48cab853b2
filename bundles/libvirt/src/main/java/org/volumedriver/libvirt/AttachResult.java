package org.volumedriver.libvirt;

import java.util.Objects;

import org.volumedriver.spi.DiskSpec;

/**
 * A disk attached to a domain.
 *
 * @param domain the domain name
 * @param mode where the attach took effect
 * @param disk the effective disk, as checked and written
 * @param diskXml the {@code <disk>} element handed to libvirt
 */
public record AttachResult(String domain, AttachMode mode, DiskSpec disk, String diskXml) {

    /**
     * @param domain the domain name
     * @param mode where the attach took effect
     * @param disk the effective disk
     * @param diskXml the element handed to libvirt
     */
    public AttachResult {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(diskXml, "diskXml");
    }
}
