package org.volumedriver.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.Collections;

/**
 * What a driver reports about one of its mounts, for administrators.
 *
 * @param driverType the driver's {@code volume.driver.type}
 * @param export the export, already redacted for display
 * @param mountDirectory the absolute mount directory
 * @param state the state found by the last probe
 * @param attachments the attachments counted on this mount, sorted
 * @param since when the mount entered its current state
 * @param detail a short explanation of the state, empty when healthy
 */
public record MountStatus(String driverType, String export, String mountDirectory, MountState state,
        Set<Attachment> attachments, Instant since, String detail) {

    /**
     * Copies the attachments into an unmodifiable sorted set.
     *
     * @param driverType the driver's type
     * @param export the redacted export
     * @param mountDirectory the mount directory
     * @param state the state
     * @param attachments the attachments, {@code null} for none
     * @param since when the state began
     * @param detail the explanation, {@code null} for none
     */
    public MountStatus {
        Objects.requireNonNull(driverType, "driverType");
        Objects.requireNonNull(export, "export");
        Objects.requireNonNull(mountDirectory, "mountDirectory");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        attachments = Collections.unmodifiableSortedSet(new TreeSet<>(attachments == null ? Set.of() : attachments));
        detail = detail == null ? "" : detail;
    }
}
