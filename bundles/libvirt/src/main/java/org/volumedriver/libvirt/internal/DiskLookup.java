package org.volumedriver.libvirt.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.volumedriver.libvirt.ChainLink;
import org.volumedriver.libvirt.ChainMismatchException;
import org.volumedriver.libvirt.DiskNotFoundException;
import org.volumedriver.libvirt.internal.ChainReader.LiveDisk;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.Redactor;

/**
 * Finds a volume's disk among a domain's disks: by the serial the driver describes (every file of
 * a volume's chain carries the volume's serial, so the disk is found whichever file is active), or,
 * for a driver without serials, by the source path. Never by position. Also holds the rule that
 * every file of the disk's chain lies in the volume's mount directory.
 */
final class DiskLookup {

    private DiskLookup() {
    }

    /**
     * @param domain the domain name, for the message
     * @param disks the domain's disks
     * @param described the volume's disk as its driver describes it
     * @return the one disk of the volume
     * @throws DiskNotFoundException if there is none
     * @throws ChainMismatchException if several disks carry the serial
     */
    static LiveDisk find(String domain, List<LiveDisk> disks, DiskSpec described) throws DiskNotFoundException, ChainMismatchException {
        Optional<LiveDisk> found = lookup(disks, described);
        if (found.isEmpty()) {
            throw new DiskNotFoundException(domain, how(described));
        }
        return found.get();
    }

    /**
     * @param disks the domain's disks
     * @param described the volume's disk as its driver describes it
     * @return the one disk of the volume, if the domain has it
     * @throws ChainMismatchException if several disks carry the serial
     */
    static Optional<LiveDisk> lookup(List<LiveDisk> disks, DiskSpec described) throws ChainMismatchException {
        if (described.serial().isPresent()) {
            String serial = described.serial().get();
            List<LiveDisk> matching = disks.stream().filter(d -> d.serial().filter(serial::equals).isPresent()).toList();
            if (matching.size() > 1) {
                throw new ChainMismatchException(matching.size() + " disks carry serial " + Redactor.quote(serial) + ", not one");
            }
            return matching.stream().findFirst();
        }
        String source = described.sourcePath();
        return disks.stream().filter(d -> d.source().filter(source::equals).isPresent()).findFirst();
    }

    /**
     * @param described the volume's disk as its driver describes it
     * @return how it is looked for, quoted for a message
     */
    static String how(DiskSpec described) {
        return described.serial().map(s -> "serial " + Redactor.quote(s))
                .orElseGet(() -> "source " + Redactor.quote(described.sourcePath()));
    }

    /**
     * The volume's mount directory: where its driver puts the file of the connection info.
     *
     * @param described the volume's disk as its driver describes it
     * @return the directory of its source
     */
    static Path directory(DiskSpec described) {
        return Path.of(described.sourcePath()).getParent();
    }

    /**
     * Requires every file of the disk's chain to be a file directly in the volume's mount directory.
     *
     * @param disk the disk
     * @param directory the volume's mount directory
     * @return the chain's file names, the active file first
     * @throws ChainMismatchException if the disk has no file source or a file lies elsewhere
     */
    static List<String> namesIn(LiveDisk disk, Path directory) throws ChainMismatchException {
        if (disk.chain().isEmpty()) {
            throw new ChainMismatchException("disk " + Redactor.quote(disk.targetDev()) + " has no file source");
        }
        List<String> names = new ArrayList<>();
        for (ChainLink link : disk.chain()) {
            names.add(nameIn(link.path(), directory, disk.targetDev()));
        }
        return names;
    }

    /**
     * @param path a file path from libvirt
     * @param directory the volume's mount directory
     * @param targetDev the disk, for the message
     * @return the file's name
     * @throws ChainMismatchException unless the path is absolute, normalized and directly in the directory
     */
    static String nameIn(String path, Path directory, String targetDev) throws ChainMismatchException {
        Path file = path.isEmpty() || !path.startsWith("/") || path.chars().anyMatch(Character::isISOControl) ? null : Path.of(path);
        if (file == null || !file.normalize().equals(file) || file.getParent() == null || !file.getParent().equals(directory)) {
            throw new ChainMismatchException(Redactor.quote(path) + " of disk " + Redactor.quote(targetDev)
                    + " is not a file in the volume's mount directory " + Redactor.quote(directory.toString()));
        }
        return file.getFileName().toString();
    }
}
