package org.volumedriver.spi;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where a volume file lives on this host: a driver's mount directory and the file's name in it.
 * {@link VolumeDriver#ownerOf(Path)} answers it for a guest's disk source, and
 * {@link VolumeDriver#adopt} and {@link VolumeDriver#release} take it back.
 *
 * @param mountDirectory the absolute, normalized mount directory (no {@code .}, {@code ..} or
 *        empty component, no trailing {@code /}, no control character)
 * @param volume the volume file name: one file name as {@link Attachment} accepts it
 */
public record VolumeLocation(String mountDirectory, String volume) {

    private static final int MAX_PATH = 4096;

    /**
     * Validates both parts, so that a location can be printed, compared and journaled safely.
     *
     * @param mountDirectory the mount directory
     * @param volume the volume file name
     * @throws IllegalArgumentException if a part is missing or not of the allowed form
     */
    public VolumeLocation {
        if (!isNormalizedAbsolute(mountDirectory)) {
            throw new IllegalArgumentException("mount directory " + Redactor.quote(mountDirectory)
                    + " must be an absolute, normalized path below /");
        }
        if (!Attachment.isVolumeName(volume)) {
            throw new IllegalArgumentException("volume " + Redactor.quote(volume) + " must be one file name without '..'");
        }
    }

    /** @return the volume file: the mount directory and the volume name joined */
    public Path path() {
        return Path.of(mountDirectory, volume);
    }

    /** @return the mount directory as a path */
    public Path directory() {
        return Path.of(mountDirectory);
    }

    /**
     * @param path a candidate
     * @return whether it is absolute, below {@code /}, and already in the form
     *         {@link Path#normalize()} gives it, without control characters
     */
    static boolean isNormalizedAbsolute(String path) {
        if (path == null || path.length() < 2 || path.length() > MAX_PATH || !path.startsWith("/")
                || path.chars().anyMatch(Character::isISOControl)) {
            return false;
        }
        try {
            return Path.of(path).normalize().toString().equals(path);
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
