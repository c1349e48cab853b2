package org.volumedriver.spi;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link VolumeDriver#inspectImage} found in a volume file: its format as its header tells it,
 * its sizes, and the backing file its header names. Callers use it to check a chain before they
 * hand a file to the hypervisor (an assisted snapshot's new active file, a merge target).
 *
 * @param location the mount directory and the file's name in it
 * @param format {@code raw} or {@code qcow2}, from the header, never from connection info
 * @param virtualSize the size the guest sees, in bytes (for raw, the file size)
 * @param fileSize the size of the file itself, in bytes
 * @param backingFile the name of the direct backing file, a file in the same directory; only for
 *        qcow2
 * @param backingFormat the backing file's format as the header declares it ({@code raw} or
 *        {@code qcow2}); empty when the header declares none, in which case the hypervisor
 *        probes the backing file's content
 * @since 1.3
 */
public record VolumeImage(VolumeLocation location, String format, long virtualSize, long fileSize,
        Optional<String> backingFile, Optional<String> backingFormat) {

    /** The format of a file without a qcow2 header. */
    public static final String RAW = "raw";
    /** The format of a file with a qcow2 header. */
    public static final String QCOW2 = "qcow2";

    /**
     * Validates every part, so that an image can be printed and compared safely.
     *
     * @param location the mount directory and the file's name in it
     * @param format {@code raw} or {@code qcow2}
     * @param virtualSize the size the guest sees, not negative
     * @param fileSize the size of the file, not negative
     * @param backingFile the direct backing file's name, one file name as {@link Attachment} accepts it
     * @param backingFormat the declared backing format, only with a backing file
     * @throws IllegalArgumentException if a part is missing or not of the allowed form
     */
    public VolumeImage {
        Objects.requireNonNull(location, "location");
        if (!RAW.equals(format) && !QCOW2.equals(format)) {
            throw new IllegalArgumentException("image format " + Redactor.quote(format) + " is not raw or qcow2");
        }
        if (virtualSize < 0 || fileSize < 0) {
            throw new IllegalArgumentException("image sizes must not be negative: virtual " + virtualSize + ", file " + fileSize);
        }
        Objects.requireNonNull(backingFile, "backingFile");
        Objects.requireNonNull(backingFormat, "backingFormat");
        if (backingFile.isPresent()) {
            if (!QCOW2.equals(format)) {
                throw new IllegalArgumentException("a raw image has no backing file");
            }
            if (!Attachment.isVolumeName(backingFile.get()) || backingFile.get().equals(location.volume())) {
                throw new IllegalArgumentException("backing file " + Redactor.quote(backingFile.get())
                        + " must be one other file name without '..'");
            }
        }
        if (backingFormat.isPresent()) {
            if (backingFile.isEmpty()) {
                throw new IllegalArgumentException("a backing format needs a backing file");
            }
            if (!RAW.equals(backingFormat.get()) && !QCOW2.equals(backingFormat.get())) {
                throw new IllegalArgumentException("backing format " + Redactor.quote(backingFormat.get()) + " is not raw or qcow2");
            }
        }
    }

    /** @return the volume file: the location's path */
    public Path path() {
        return location.path();
    }

    /** @return the direct backing file's path, in the same directory, if there is one */
    public Optional<Path> backingPath() {
        return backingFile.map(name -> location.directory().resolve(name));
    }

    /**
     * @return whether the header names a backing file without declaring its format: the
     *         hypervisor then probes the backing file's content to choose a format
     */
    public boolean backingFormatUndeclared() {
        return backingFile.isPresent() && backingFormat.isEmpty();
    }
}
