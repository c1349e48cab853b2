package org.volumedriver.quobyte;

import java.util.Objects;

/**
 * Whether mount commands run inside a transient systemd scope (so that the FUSE client daemons
 * survive a restart of the service that started them), and why.
 *
 * @param useScope whether a scope is used
 * @param mode the configured mode: {@code auto}, {@code on} or {@code off}
 * @param reason a short explanation for administrators, for example which check failed
 */
public record SystemdDecision(boolean useScope, String mode, String reason) {

    /**
     * Checks that the parts are present.
     *
     * @param useScope whether a scope is used
     * @param mode the configured mode
     * @param reason the explanation
     */
    public SystemdDecision {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(reason, "reason");
    }
}
