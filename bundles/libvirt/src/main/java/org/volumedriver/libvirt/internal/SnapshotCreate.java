package org.volumedriver.libvirt.internal;

import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.ChainMismatchException;
import org.volumedriver.libvirt.SnapshotResult;
import org.volumedriver.libvirt.internal.ChainReader.LiveDisk;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeLocation;

/**
 * The host's part of an assisted snapshot: the storage side has created a qcow2 file whose backing
 * file is the disk's active file; the running guest is switched to it with a disk-only external
 * snapshot that reuses the file and keeps no metadata (Nova's {@code volume_snapshot_create}).
 *
 * <p>Everything is checked before anything changes. Then the driver's records follow the guest
 * first, so that no moment exists in which the guest writes to a file the driver does not count;
 * if libvirt then fails, the records follow back and the guest still uses its old file. Runs
 * under the domain's lock, on an open session.
 */
final class SnapshotCreate {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCreate.class);

    /** Nova's flags: disk only, reuse the file the storage side made, no snapshot metadata in libvirt. */
    static final int FLAGS = Guest.SNAPSHOT_DISK_ONLY | Guest.SNAPSHOT_REUSE_EXT | Guest.SNAPSHOT_NO_METADATA;

    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newDefaultFactory();

    private final AttachedVolume volume;
    private final Guest guest;
    private final String snapshotId;
    private final String newFile;
    private final VolumeImage newImage;
    private final DiskPolicy policy;

    /**
     * @param volume the volume
     * @param guest the domain
     * @param snapshotId the snapshot's UUID (checked)
     * @param newFile the new active file's name
     * @param newImage what the driver found in it (the name is checked by that)
     * @param policy the allowlists in force
     */
    SnapshotCreate(AttachedVolume volume, Guest guest, String snapshotId, String newFile, VolumeImage newImage, DiskPolicy policy) {
        this.volume = volume;
        this.guest = guest;
        this.snapshotId = snapshotId;
        this.newFile = newFile;
        this.newImage = newImage;
        this.policy = policy;
    }

    /**
     * @param start when the operation began ({@link System#nanoTime()})
     * @return the result
     * @throws VolumeDriverException the typed refusal or failure; see {@link org.volumedriver.libvirt.AttachedVolumes}
     */
    SnapshotResult run(long start) throws VolumeDriverException {
        RunningDisk disk = RunningDisk.find(guest, volume, "snapshot");
        String active = disk.active();
        String newPath = volume.directory().resolve(newFile).toString();
        DiskSpec newDisk = checkNewFile(disk);

        List<Attachment> moved = follow(active, disk);
        boolean quiesced;
        try {
            quiesced = switchGuest(disk, newPath);
        } catch (VolumeDriverException | RuntimeException e) {
            followBack(active, moved, e);
            throw e;
        }
        LiveDisk after = afterSwitch(newDisk, newPath, active, moved);
        LOG.info("snapshot {}: domain {} disk {} switched from {} to {} ({}), {} recorded attachment(s) followed",
                snapshotId, guest.name(), disk.targetDev(), active, newFile, quiesced ? "quiesced" : "not quiesced", moved.size());
        return new SnapshotResult(guest.name(), snapshotId, disk.targetDev(), RunningDisk.chainOf(guest.name(), after), quiesced,
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** The new file must continue exactly this disk's chain, in this volume, in a format allowed. */
    private DiskSpec checkNewFile(RunningDisk disk) throws VolumeDriverException {
        String active = disk.active();
        if (disk.names().contains(newFile)) {
            throw new ChainMismatchException("new_file " + Redactor.quote(newFile) + " is already in the disk's chain");
        }
        if (!VolumeImage.QCOW2.equals(newImage.format())) {
            throw new ChainMismatchException("new_file " + Redactor.quote(newFile) + " is " + newImage.format()
                    + "; a new active file must be qcow2 with the active file as backing");
        }
        if (!newImage.backingFile().equals(Optional.of(active))) {
            throw new ChainMismatchException("new_file " + Redactor.quote(newFile) + " has backing file "
                    + newImage.backingFile().map(Redactor::quote).orElse("none") + ", not the disk's active file " + Redactor.quote(active));
        }
        if (newImage.backingFormat().isEmpty()) {
            throw new UnsafeImageException("new_file " + Redactor.quote(newFile)
                    + " declares no backing format: the hypervisor would probe its backing file's content");
        }
        if (!newImage.backingFormat().get().equals(disk.activeFormat())) {
            throw new ChainMismatchException("new_file " + Redactor.quote(newFile) + " declares backing format "
                    + newImage.backingFormat().get() + ", but the guest uses " + Redactor.quote(active) + " as " + disk.activeFormat());
        }
        VolumeImage activeImage = volume.inspect(active);
        if (!activeImage.format().equals(disk.activeFormat())) {
            throw new ChainMismatchException("the active file " + Redactor.quote(active) + " is " + activeImage.format()
                    + " on the share, but the guest uses it as " + disk.activeFormat());
        }
        DiskSpec described = volume.describe(newFile);
        if (volume.described().serial().isPresent() && !volume.described().serial().equals(described.serial())) {
            throw new ChainMismatchException("new_file " + Redactor.quote(newFile) + " is not a file of volume "
                    + Redactor.quote(volume.described().serial().get()));
        }
        DiskSpec newDisk = described.toBuilder().format(VolumeImage.QCOW2).build();
        DiskXml.checkSource(policy, volume.type(), newDisk);
        return newDisk;
    }

    /** Moves the recorded attachments of this volume file by this domain to the new file. */
    private List<Attachment> follow(String active, RunningDisk disk) throws VolumeDriverException {
        Set<String> instances = Set.of(guest.name(), guest.uuid());
        String directory = volume.directory().toString();
        List<Attachment> recorded = new ArrayList<>();
        for (MountStatus mount : volume.driver().mounts()) {
            if (mount.mountDirectory().equals(directory)) {
                mount.attachments().stream().filter(a -> a.volume().equals(active) && instances.contains(a.instance()))
                        .forEach(recorded::add);
            }
        }
        if (recorded.isEmpty()) {
            LOG.warn("snapshot {}: domain {} uses {} but its driver records no attachment of it by this domain; "
                    + "nothing to follow (a reconciliation adopts the new file)", snapshotId, guest.name(), active);
        }
        VolumeLocation from = new VolumeLocation(directory, active);
        List<Attachment> moved = new ArrayList<>();
        try {
            for (Attachment attachment : recorded) {
                if (volume.driver().follow(from, newFile, attachment)) {
                    moved.add(attachment);
                }
            }
        } catch (VolumeDriverException | RuntimeException e) {
            followBack(active, moved, e);
            throw e;
        }
        return moved;
    }

    /** Undo of {@link #follow}: each moved attachment back to the old file; a failure is kept with the cause. */
    private void followBack(String active, List<Attachment> moved, Exception cause) {
        VolumeLocation from = new VolumeLocation(volume.directory().toString(), newFile);
        for (Attachment attachment : moved) {
            try {
                volume.driver().follow(from, active, new Attachment(newFile, attachment.instance()));
            } catch (VolumeDriverException | RuntimeException e) {
                cause.addSuppressed(e);
                LOG.error("snapshot {}: moving the record of {} back to {} failed: {} {}", snapshotId, attachment, active,
                        e.getClass().getSimpleName(), Redactor.redactText(e.getMessage()));
            }
        }
    }

    /**
     * The snapshot itself. Quiesced when the domain has a guest agent channel that libvirt does not
     * report disconnected; a quiesced attempt that fails (agent silent, freeze refused) is repeated
     * without quiescing, as Nova does.
     *
     * @return whether the guest was quiesced
     */
    private boolean switchGuest(RunningDisk disk, String newPath) throws VolumeDriverException {
        String xml = snapshotXml(snapshotId, disk.targetDev(), newPath, otherTargets(disk));
        boolean agent;
        try {
            agent = ChainReader.guestAgentMayAnswer(disk.liveXml());
        } catch (XMLStreamException e) {
            throw ChainReader.refused(e);
        }
        if (agent) {
            try {
                guest.snapshot(xml, FLAGS | Guest.SNAPSHOT_QUIESCE);
                return true;
            } catch (HypervisorException quiescedFailure) {
                LOG.warn("snapshot {}: the quiesced snapshot of domain {} failed (libvirt error {}); taking it without quiescing",
                        snapshotId, guest.name(), quiescedFailure.errorCode());
                try {
                    guest.snapshot(xml, FLAGS);
                    return false;
                } catch (HypervisorException e) {
                    e.addSuppressed(quiescedFailure);
                    throw e;
                }
            }
        }
        guest.snapshot(xml, FLAGS);
        return false;
    }

    /** Every other disk of the domain is excluded: libvirt would otherwise snapshot it too, next to its file. */
    private List<String> otherTargets(RunningDisk disk) throws HypervisorException {
        List<String> others = new ArrayList<>();
        try {
            for (LiveDisk d : ChainReader.disks(disk.liveXml())) {
                if (!d.targetDev().isEmpty() && !d.targetDev().equals(disk.targetDev())) {
                    others.add(d.targetDev());
                }
            }
        } catch (XMLStreamException e) {
            throw ChainReader.refused(e);
        }
        return others;
    }

    /**
     * The disk must now use the new file; otherwise the records go back and the call fails. If the
     * guest cannot be read after libvirt reported success, the records stay with the new file.
     */
    private LiveDisk afterSwitch(DiskSpec newDisk, String newPath, String active, List<Attachment> moved) throws VolumeDriverException {
        DiskSpec lookFor = volume.described().serial().isPresent() ? volume.described() : newDisk;
        Optional<LiveDisk> now = DiskLookup.lookup(ChainReader.disks(guest, Guest.View.LIVE), lookFor);
        if (now.isPresent() && now.get().source().equals(Optional.of(newPath))) {
            return now.get();
        }
        HypervisorException e = new HypervisorException("snapshot", -1, "libvirt reported success, but the disk does not use "
                + Redactor.quote(newFile) + " now", null);
        followBack(active, moved, e);
        throw e;
    }

    /**
     * @param name the snapshot's name
     * @param targetDev the disk that gets the new file
     * @param newPath the new file
     * @param others every other disk, excluded
     * @return the {@code <domainsnapshot>} description; every value escaped by the writer
     */
    static String snapshotXml(String name, String targetDev, String newPath, List<String> others) {
        StringWriter out = new StringWriter(512);
        try {
            XMLStreamWriter xml = OUTPUT.createXMLStreamWriter(out);
            xml.writeStartElement("domainsnapshot");
            xml.writeStartElement("name");
            xml.writeCharacters(name);
            xml.writeEndElement();
            xml.writeStartElement("disks");
            xml.writeStartElement("disk");
            xml.writeAttribute("name", targetDev);
            xml.writeAttribute("snapshot", "external");
            xml.writeAttribute("type", "file");
            xml.writeEmptyElement("driver");
            xml.writeAttribute("type", VolumeImage.QCOW2);
            xml.writeEmptyElement("source");
            xml.writeAttribute("file", newPath);
            xml.writeEndElement();
            for (String other : others) {
                xml.writeEmptyElement("disk");
                xml.writeAttribute("name", other);
                xml.writeAttribute("snapshot", "no");
            }
            xml.writeEndElement();
            xml.writeEndElement();
            xml.flush();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing snapshot XML to memory failed", e);
        }
        return out.toString();
    }
}
