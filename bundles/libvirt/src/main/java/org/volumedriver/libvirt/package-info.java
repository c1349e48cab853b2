/**
 * libvirt disk configuration and the attach/detach flow.
 *
 * <p>The bundle provides {@link org.volumedriver.spi.VolumeDrivers}, which finds the
 * {@link org.volumedriver.spi.VolumeDriver} registered for a {@code driver_volume_type};
 * {@link org.volumedriver.libvirt.DiskXmlService} turns a {@link org.volumedriver.spi.DiskSpec}
 * into a libvirt {@code <disk>} element after checking every value against configured allowlists;
 * {@link org.volumedriver.libvirt.VolumeAttacher} connects a volume through its driver and attaches
 * the disk to a libvirt domain (live, persistent, or both), and detaches it again.
 *
 * <p>Since 1.1, {@link org.volumedriver.libvirt.VolumeReconciler} reconciles the drivers' recorded
 * attachments with libvirt's domains ({@link org.volumedriver.libvirt.ReconcileReport},
 * {@link org.volumedriver.libvirt.ReconcileRow}, {@link org.volumedriver.libvirt.ReconcileAction}),
 * and the bundle provides the SPI's {@link org.volumedriver.spi.GuestUsage}, which the drivers ask
 * before they unmount.
 *
 * <p>Every failure is a typed {@link org.volumedriver.spi.VolumeDriverException}: a value outside an
 * allowlist is an {@link org.volumedriver.libvirt.InvalidDiskSpecException} (a format is an
 * {@link org.volumedriver.spi.UnsupportedFormatException}), a libvirt failure a
 * {@link org.volumedriver.spi.HypervisorException} carrying libvirt's numeric error code.
 */
@Export
@Version("1.1.0")
package org.volumedriver.libvirt;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
