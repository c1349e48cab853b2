package org.volumedriver.libvirt;

/** How {@link AttachedVolumes#snapshotDelete} merged a file out of a disk's chain. */
public enum MergeKind {
    /** {@code virDomainBlockCommit}: a file's data went down into its direct backing file. */
    COMMIT,
    /** {@code virDomainBlockRebase} (a pull): the file below the active image went up into it. */
    REBASE
}
