package org.volumedriver.quobyte;

import java.util.Objects;

/**
 * The outcome of a successful validation: where a volume's export is mounted and where its file
 * is.
 *
 * @param export the export with any {@code quobyte://} prefix stripped (what the mount directory
 *        name is computed from)
 * @param mountDirectory the absolute mount directory, {@code <mount base>/<md5 hex of export>}
 * @param volumePath the absolute path of the volume file inside the mount directory
 * @param format the image format, {@code raw} or {@code qcow2}
 */
public record ValidatedVolume(String export, String mountDirectory, String volumePath, String format) {

    /**
     * Checks that the parts are present.
     *
     * @param export the stripped export
     * @param mountDirectory the mount directory
     * @param volumePath the volume file
     * @param format the format
     */
    public ValidatedVolume {
        Objects.requireNonNull(export, "export");
        Objects.requireNonNull(mountDirectory, "mountDirectory");
        Objects.requireNonNull(volumePath, "volumePath");
        Objects.requireNonNull(format, "format");
    }
}
