package org.volumedriver.quobyte.internal;

/**
 * One line of {@code /proc/self/mountinfo}, with octal escapes decoded.
 *
 * @param id the mount id
 * @param parentId the parent mount id
 * @param device major:minor
 * @param root the root of the mount within its file system
 * @param mountPoint the mount point, decoded; a {@code \040(deleted)} suffix is removed and
 *        reported in {@code deleted}
 * @param options the per-mount options
 * @param fsType the file system type, for example {@code fuse.quobyte}
 * @param source the mount source, for example {@code quobyte@reg1|reg2/vol}
 * @param superOptions the per-superblock options
 * @param deleted whether the kernel marked the mount point as deleted
 */
public record MountEntry(int id, int parentId, String device, String root, String mountPoint, String options,
        String fsType, String source, String superOptions, boolean deleted) {

    /**
     * Whether this entry is a Quobyte client mount (D1): by file system type only, never by
     * comparing the source with an export.
     *
     * @param legacyFuse also accept the old clients' {@code fuse} type with a {@code quobyte@} source
     * @return whether it is a Quobyte mount
     */
    public boolean isQuobyte(boolean legacyFuse) {
        return "fuse.quobyte".equals(fsType) || legacyFuse && "fuse".equals(fsType) && source.startsWith("quobyte@");
    }
}
