package org.volumedriver.libvirt;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.volumedriver.spi.DisconnectOutcome;

/**
 * The result of a detach.
 *
 * @param domain the domain name
 * @param outcome what happened to the device
 * @param disconnect what the driver did with the volume; empty when the volume stays connected
 *        ({@link DetachOutcome#NOT_RELEASED})
 * @param waited how long the detach waited for the guest to release the device
 */
public record DetachResult(String domain, DetachOutcome outcome, Optional<DisconnectOutcome> disconnect, Duration waited) {

    /**
     * @param domain the domain name
     * @param outcome what happened to the device
     * @param disconnect what the driver did, if it was asked
     * @param waited how long the detach waited
     */
    public DetachResult {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(disconnect, "disconnect");
        Objects.requireNonNull(waited, "waited");
    }
}
