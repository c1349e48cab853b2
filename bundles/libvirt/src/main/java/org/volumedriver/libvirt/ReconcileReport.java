package org.volumedriver.libvirt;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one reconciliation of the drivers' attachments with libvirt's domains.
 *
 * <p>When libvirt could not be reached, {@code libvirtReachable} is {@code false}, {@code error}
 * says why, there are no rows, and nothing was changed.
 *
 * @param dryRun whether it only decided (nothing was adopted or released)
 * @param releaseOrphans whether confirmed drift is released by configuration
 * @param libvirtReachable whether libvirt answered
 * @param error why libvirt could not be asked; empty when it answered
 * @param domains how many domains were read
 * @param rows one row per disk of a guest that a driver claimed or that was refused, and per
 *        recorded attachment in no guest; sorted by action, then mount directory, volume, domain
 * @param started when it began
 * @param took how long it took
 */
public record ReconcileReport(boolean dryRun, boolean releaseOrphans, boolean libvirtReachable, String error, int domains,
        List<ReconcileRow> rows, Instant started, Duration took) {

    /**
     * @param dryRun whether it only decided
     * @param releaseOrphans whether confirmed drift is released
     * @param libvirtReachable whether libvirt answered
     * @param error why not, or empty
     * @param domains how many domains were read
     * @param rows the rows (copied)
     * @param started when it began
     * @param took how long it took
     */
    public ReconcileReport {
        error = Objects.requireNonNullElse(error, "");
        rows = List.copyOf(rows);
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(took, "took");
    }

    /**
     * @param action an action
     * @return how many rows have it
     */
    public long count(ReconcileAction action) {
        return rows.stream().filter(r -> r.action() == action).count();
    }
}
