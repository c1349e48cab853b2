package org.volumedriver.libvirt.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.UnsupportedFormatException;

/**
 * A disk the allowlists accepted, together with the one {@code <disk>} element written for it, so
 * that what is handed to libvirt is exactly what was checked.
 *
 * @param spec the effective disk (cache and io filled in)
 * @param xml the XML text of one {@code <disk>} element
 */
record CheckedDisk(DiskSpec spec, String xml) {

    private static final Logger LOG = LoggerFactory.getLogger(CheckedDisk.class);

    /**
     * Checks a disk and writes it.
     *
     * @param policy the allowlists
     * @param driverType the {@code driver_volume_type} that described the disk
     * @param disk the disk, with target
     * @return the checked disk and its XML
     * @throws InvalidDiskSpecException naming the field and what is allowed
     * @throws UnsupportedFormatException for a format outside the allowlist
     */
    static CheckedDisk check(DiskPolicy policy, String driverType, DiskSpec disk)
            throws InvalidDiskSpecException, UnsupportedFormatException {
        DiskSpec effective = effective(policy, driverType, disk);
        return new CheckedDisk(effective, DiskXml.write(effective));
    }

    /**
     * Checks a disk without writing it; a replaced io mode is logged as a warning.
     *
     * @param policy the allowlists
     * @param driverType the {@code driver_volume_type} that described the disk
     * @param disk the disk, with target
     * @return the effective disk
     * @throws InvalidDiskSpecException naming the field and what is allowed
     * @throws UnsupportedFormatException for a format outside the allowlist
     */
    static DiskSpec effective(DiskPolicy policy, String driverType, DiskSpec disk)
            throws InvalidDiskSpecException, UnsupportedFormatException {
        return DiskXml.check(policy, driverType, disk,
                warning -> LOG.warn("disk {} for driver type {}: {}", Redactor.quote(disk.sourcePath()), driverType, warning));
    }
}
