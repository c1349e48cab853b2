package org.volumedriver.quobyte;

import java.util.Objects;

/**
 * One step of a heal and how it went, in the order the driver took them.
 *
 * @param action what the step does
 * @param outcome how it went
 * @param detail a short explanation for administrators (the connection, an exit status, why it
 *        was not needed), empty if there is nothing to add
 */
public record HealStep(Action action, Outcome outcome, String detail) {

    /** The steps of cutting a hung or dead client loose and mounting afresh, in their order. */
    public enum Action {
        /** Abort the mount's FUSE connection, so that every waiting and future request fails at once. */
        ABORT,
        /** A normal unmount. */
        UNMOUNT,
        /** A lazy unmount, when the normal one left the mount in place. */
        LAZY_UNMOUNT,
        /** Stop the systemd scope the old client daemon runs in. */
        END_SCOPE,
        /** Mount the export afresh for the attachments that remain. */
        REMOUNT
    }

    /** How a step went. */
    public enum Outcome {
        /** It was done. */
        DONE,
        /** Nothing called for it (a dead client needs no abort, a normal unmount worked, no scope was left). */
        NOT_NEEDED,
        /** It was called for but left out on purpose; the detail says why. */
        SKIPPED,
        /** It was tried and did not work; the detail says how. */
        FAILED
    }

    /**
     * @param action what the step does
     * @param outcome how it went
     * @param detail the explanation, {@code null} for none
     */
    public HealStep {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
        detail = detail == null ? "" : detail;
    }
}
