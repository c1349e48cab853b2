package org.volumedriver.libvirt;

/**
 * What a reconciliation decided for one disk of a guest or one recorded attachment. In a dry run
 * the decision is reported and nothing is done.
 */
public enum ReconcileAction {
    /** In a guest but not recorded: the driver recorded it (the attachment's instance is the domain UUID). */
    ADOPTED,
    /** Recorded but in no guest, and kept: report only, or not yet confirmed by a second reconciliation. */
    DRIFT_KEPT,
    /** Recorded but in no guest in two reconciliations in a row, and released through the driver. */
    DRIFT_RELEASED,
    /** In a guest and recorded: nothing to do. */
    UNTOUCHED,
    /**
     * Refused: a source that is not absolute, has a {@code ..} component or a control character, a
     * disk that is not of type {@code file} below a driver's mount, a path its driver refused (symlink,
     * wrong file system, not a mount), a path claimed by two drivers, or a domain that could not be
     * read. Nothing was asked of a driver beyond the refusal.
     */
    REJECTED,
    /** The driver failed to adopt or release (the reason carries its error code); nothing changed. */
    FAILED
}
