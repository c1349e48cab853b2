package org.volumedriver.libvirt.internal;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.ChainMismatchException;
import org.volumedriver.libvirt.ExtendResult;
import org.volumedriver.libvirt.InvalidSizeException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeImage;

/**
 * Online extend: the storage side has grown the disk's active file; the running guest is told
 * ({@code virDomainBlockResize} in bytes). Never a shrink, never beyond what the file holds. Runs
 * under the domain's lock, on an open session.
 */
final class DiskResize {

    private static final Logger LOG = LoggerFactory.getLogger(DiskResize.class);

    private DiskResize() {
    }

    /**
     * @param volume the volume
     * @param guest the domain
     * @param newSize the new size in bytes (positive, checked)
     * @param start when the operation began ({@link System#nanoTime()})
     * @return the capacity before and after
     * @throws VolumeDriverException the typed refusal or failure
     */
    static ExtendResult run(AttachedVolume volume, Guest guest, long newSize, long start) throws VolumeDriverException {
        RunningDisk disk = RunningDisk.find(guest, volume, "block resize");
        VolumeImage image = volume.inspect(disk.active());
        if (!disk.activeFormat().isEmpty() && !image.format().equals(disk.activeFormat())) {
            throw new ChainMismatchException("the active file " + Redactor.quote(disk.active()) + " is " + image.format()
                    + " on the share, but the guest uses it as " + disk.activeFormat());
        }
        long holds = VolumeImage.RAW.equals(image.format()) ? image.fileSize() : image.virtualSize();
        if (holds < newSize) {
            throw new InvalidSizeException(newSize, "the active file " + Redactor.quote(disk.active()) + " holds only " + holds
                    + " bytes (" + image.format() + "); the storage side grows it first");
        }
        String dev = disk.targetDev();
        long capacity = guest.capacity(dev);
        if (newSize < capacity) {
            throw new InvalidSizeException(newSize, "below the disk's capacity of " + capacity + " bytes: volumes never shrink");
        }
        if (newSize == capacity) {
            LOG.info("domain {} disk {} has {} bytes already; nothing to tell the guest", guest.name(), dev, capacity);
        } else {
            guest.resize(dev, newSize);
            LOG.info("domain {} disk {} grown from {} to {} bytes", guest.name(), dev, capacity, newSize);
        }
        return new ExtendResult(guest.name(), dev, capacity, newSize, Duration.ofNanos(System.nanoTime() - start));
    }
}
