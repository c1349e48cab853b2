package org.volumedriver.libvirt;

import org.osgi.annotation.versioning.ProviderType;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Turns a {@link DiskSpec} into a libvirt {@code <disk>} element.
 *
 * <p>Every value is checked against the configured allowlists before anything is written: the source
 * type allowed for the driver type, the format (exact and case-sensitive), cache, io, bus, discard,
 * the target device and serial patterns, and the source path (absolute, normalized, printable). The
 * XML is written by a streaming XML writer, never by string concatenation, so a value can never
 * add an element or attribute. {@code io=native} is only kept with cache {@code none} or
 * {@code directsync}; otherwise {@code threads} is used and a warning logged.
 */
@ProviderType
public interface DiskXmlService {

    /**
     * Checks a disk against the allowlists and returns the disk as it will be written: the io mode
     * may have been changed from {@code native} to {@code threads}, and defaults filled in.
     *
     * @param driverType the {@code driver_volume_type} of the driver that described the disk
     * @param spec the disk, with target device and bus set
     * @return the effective disk
     * @throws InvalidDiskSpecException naming the field and the allowed values
     * @throws org.volumedriver.spi.UnsupportedFormatException if the format is not allowed
     * @throws VolumeDriverException for any other refusal
     */
    DiskSpec check(String driverType, DiskSpec spec) throws VolumeDriverException;

    /**
     * Checks a disk (see {@link #check(String, DiskSpec)}) and writes it as one {@code <disk>}
     * element, without XML declaration.
     *
     * @param driverType the {@code driver_volume_type} of the driver that described the disk
     * @param spec the disk, with target device and bus set
     * @return the XML text of exactly one {@code <disk>} element
     * @throws InvalidDiskSpecException naming the field and the allowed values
     * @throws org.volumedriver.spi.UnsupportedFormatException if the format is not allowed
     * @throws VolumeDriverException for any other refusal
     */
    String diskXml(String driverType, DiskSpec spec) throws VolumeDriverException;
}
