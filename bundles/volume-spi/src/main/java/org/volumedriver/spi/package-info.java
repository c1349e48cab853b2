/**
 * The volume-driver contract.
 *
 * <p>A caller (a management platform, the libvirt attach flow, the administrator shell) hands a
 * {@link org.volumedriver.spi.ConnectionInfo} and an {@link org.volumedriver.spi.Attachment} to the
 * {@link org.volumedriver.spi.VolumeDriver} registered for the connection info's
 * {@code driver_volume_type}, and receives a {@link org.volumedriver.spi.DiskSpec}: a neutral
 * description of the disk that the libvirt bundle turns into XML.
 *
 * <p>{@link org.volumedriver.spi.VolumeDrivers} is the one way to find the driver for a
 * {@code driver_volume_type}: among services claiming the same type, the highest service ranking
 * wins. The libvirt bundle provides it; the attach flow and the shells use it.
 *
 * <p>Every failure is a subclass of {@link org.volumedriver.spi.VolumeDriverException} with a stable
 * {@linkplain org.volumedriver.spi.VolumeDriverException#code() code}. Anything that prints
 * connection info, argv or configuration goes through {@link org.volumedriver.spi.Redactor}.
 */
@Export
@Version("1.1.0")
package org.volumedriver.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
