package org.volumedriver.libvirt.internal;

import java.util.List;

import org.volumedriver.libvirt.BlockJobActiveException;
import org.volumedriver.libvirt.ChainMismatchException;
import org.volumedriver.libvirt.DiskChain;
import org.volumedriver.libvirt.internal.ChainReader.LiveDisk;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;

/**
 * A volume's disk in a running guest, found and checked as every change of it needs: the guest
 * runs, the disk is found by serial (or source), every file of its chain lies in the volume's
 * mount directory, and no block job runs on it.
 *
 * @param domain the domain name
 * @param liveXml the running guest's XML the disk was read from
 * @param disk the disk
 * @param names the chain's file names, the active file first
 */
record RunningDisk(String domain, String liveXml, LiveDisk disk, List<String> names) {

    /** libvirt's {@code VIR_ERR_OPERATION_INVALID}, which it gives for live changes of a stopped domain. */
    static final int VIR_ERR_OPERATION_INVALID = 55;

    RunningDisk {
        names = List.copyOf(names);
    }

    /**
     * @param guest the domain
     * @param volume the volume
     * @param operation the operation, for the error of a stopped domain
     * @return the volume's disk in the running guest
     * @throws HypervisorException if the domain does not run (code 55) or libvirt fails
     * @throws VolumeDriverException ({@code DiskNotFoundException}, {@code ChainMismatchException},
     *         {@code BlockJobActiveException}) if the disk is not there, not in the directory, or busy
     */
    static RunningDisk find(Guest guest, AttachedVolume volume, String operation) throws VolumeDriverException {
        if (!guest.isActive()) {
            throw new HypervisorException(operation, VIR_ERR_OPERATION_INVALID, "domain " + Redactor.quote(guest.name())
                    + " is not running; this needs a running guest", null);
        }
        String xml = guest.xml(Guest.View.LIVE);
        List<LiveDisk> disks;
        try {
            disks = ChainReader.disks(xml);
        } catch (javax.xml.stream.XMLStreamException e) {
            throw ChainReader.refused(e);
        }
        LiveDisk disk = DiskLookup.find(guest.name(), disks, volume.described());
        List<String> names = DiskLookup.namesIn(disk, volume.directory());
        if (disk.targetDev().isEmpty()) {
            throw new ChainMismatchException("the disk of " + Redactor.quote(names.get(0)) + " has no target device");
        }
        var job = guest.blockJob(disk.targetDev());
        if (job.isPresent()) {
            throw new BlockJobActiveException(guest.name(), disk.targetDev(), job.get().type());
        }
        return new RunningDisk(guest.name(), xml, disk, names);
    }

    /** @return the guest device */
    String targetDev() {
        return disk.targetDev();
    }

    /** @return the active file's name */
    String active() {
        return names.get(0);
    }

    /** @return the active file's format as libvirt uses it */
    String activeFormat() {
        return disk.chain().get(0).format();
    }

    /**
     * @param domain the domain name
     * @param disk a disk
     * @return its chain as the API reports it
     * @throws ChainMismatchException if the disk has no file source
     */
    static DiskChain chainOf(String domain, LiveDisk disk) throws ChainMismatchException {
        if (disk.chain().isEmpty()) {
            throw new ChainMismatchException("disk " + Redactor.quote(disk.targetDev()) + " has no file source");
        }
        return new DiskChain(domain, disk.targetDev(), disk.serial(), disk.chain());
    }
}
