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
 * <p><b>Reconciliation with the hypervisor (1.2).</b> The hypervisor is the truth about which guests
 * use which volume files. A reconciler lists every domain, hands each {@code <disk type='file'>}
 * source to {@link org.volumedriver.spi.VolumeDriver#ownerOf(java.nio.file.Path)} (having refused
 * relative sources, {@code ..} components and control characters itself, and normalized the rest
 * lexically), and compares with the recorded attachments of
 * {@link org.volumedriver.spi.VolumeDriver#mounts()}: a disk in a guest but not recorded is
 * {@linkplain org.volumedriver.spi.VolumeDriver#adopt adopted} with the domain UUID as instance;
 * an attachment recorded but in no guest (its instance matches neither a UUID nor a name of a
 * domain using that file) is drift, reported or
 * {@linkplain org.volumedriver.spi.VolumeDriver#release released}. The path checks are the
 * driver's ({@link org.volumedriver.spi.VolumeDriver#ownerOf ownerOf} documents them): only it knows
 * its base, its file system type and its volume names. Before unmounting, a driver asks the
 * optional {@link org.volumedriver.spi.GuestUsage} service whether a guest still uses the mount;
 * then it keeps the mount ({@link org.volumedriver.spi.DisconnectOutcome#KEPT_IN_USE_BY_GUEST}
 * for a disconnect, {@link org.volumedriver.spi.MountInUseByGuestException} for a heal without
 * force). {@link org.volumedriver.spi.VolumeLocation} and {@link org.volumedriver.spi.GuestRef}
 * carry the answers.
 *
 * <p><b>Attached volumes and events (1.3).</b> For operations on volumes a guest uses, such as
 * assisted snapshots, {@link org.volumedriver.spi.VolumeDriver#inspectImage inspectImage} tells
 * what a file in a volume's mount directory is, from its header
 * ({@link org.volumedriver.spi.VolumeImage}: format, sizes, direct backing file and its declared
 * format), and {@link org.volumedriver.spi.VolumeDriver#follow follow} moves a recorded attachment
 * to the file the guest's disk was switched to, so that disconnects, restarts and reconciliations
 * see the file in use. {@link org.volumedriver.spi.VolumeEvents} names the Event Admin topics and
 * properties every producing bundle posts; exports in them go through
 * {@link org.volumedriver.spi.Redactor#redactExport(String)}.
 *
 * <p>Every failure is a subclass of {@link org.volumedriver.spi.VolumeDriverException} with a stable
 * {@linkplain org.volumedriver.spi.VolumeDriverException#code() code}. Anything that prints
 * connection info, argv or configuration goes through {@link org.volumedriver.spi.Redactor}.
 */
@Export
@Version("1.3.0")
package org.volumedriver.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
