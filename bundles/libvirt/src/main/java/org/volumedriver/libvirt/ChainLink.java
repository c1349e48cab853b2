package org.volumedriver.libvirt;

import java.util.Objects;

/**
 * One file of a disk's backing chain, as libvirt describes it.
 *
 * @param path the file's absolute path
 * @param format its format, for example {@code qcow2} or {@code raw}; empty if libvirt names none
 */
public record ChainLink(String path, String format) {

    /**
     * @param path the file's absolute path
     * @param format its format; {@code null} becomes empty
     */
    public ChainLink {
        Objects.requireNonNull(path, "path");
        format = Objects.requireNonNullElse(format, "");
    }
}
