package org.volumedriver.quobyte;

import java.util.List;
import java.util.Objects;

import org.volumedriver.spi.MountStatus;

/**
 * What a heal did: the mount's status afterwards and each step taken, in order. A heal of a
 * healthy mount, or of one that is not mounted and has no attachments, takes no step.
 *
 * @param status the mount's status after the heal
 * @param steps the steps taken, in order
 */
public record HealReport(MountStatus status, List<HealStep> steps) {

    /**
     * @param status the status after the heal
     * @param steps the steps, copied
     */
    public HealReport {
        Objects.requireNonNull(status, "status");
        steps = List.copyOf(steps);
    }
}
