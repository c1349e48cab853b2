package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The systemd scope a former Quobyte client of a mount directory may have left (C2): ended before
 * a fresh client starts there, each outcome a heal step when a heal asked.
 */
final class ClientScopes {

    private static final Logger LOG = LoggerFactory.getLogger(ClientScopes.class);

    private final Mounter mounter;
    private final Counters counters;

    ClientScopes(Mounter mounter, Counters counters) {
        this.mounter = mounter;
        this.counters = counters;
    }

    /**
     * Frees the directory's scope name before the client starts in it (C2): the daemon of a hung
     * mount that was detached lazily keeps its scope, and systemd refuses a second scope of that
     * name. A scope that cannot be ended is logged; the mount then fails with systemd's own error.
     * In a heal this is the step after the unmount, so that a hung daemon ends with its mount.
     */
    void endOldClientScope(Path dir, HealSteps steps) throws VolumeDriverException {
        Optional<Mounter.Outcome> stop = mounter.endClientScope(dir);
        if (stop.isEmpty()) {
            if (steps != null) {
                steps.add(HealStep.Action.END_SCOPE, HealStep.Outcome.SKIPPED, "mounts do not run in systemd scopes");
            }
            return;
        }
        String unit = CommandMounter.scopeUnit(dir);
        if (stop.get().exitStatus() == CommandMounter.UNIT_NOT_LOADED) {
            if (steps != null) {
                steps.add(HealStep.Action.END_SCOPE, HealStep.Outcome.NOT_NEEDED, unit + " is not loaded");
            }
            return;
        }
        if (stop.get().succeeded()) {
            counters.increment("scopes.ended");
            LOG.warn("ended the scope a former client of {} left behind", dir);
            if (steps != null) {
                steps.add(HealStep.Action.END_SCOPE, HealStep.Outcome.DONE, unit + " stopped");
            }
        } else {
            LOG.error("could not end the scope a former client of {} left behind (exit status {}{})", dir,
                    stop.get().exitStatus(), stop.get().timedOut() ? ", timed out" : "");
            if (steps != null) {
                steps.add(HealStep.Action.END_SCOPE, HealStep.Outcome.FAILED, unit + ": exit status " + stop.get().exitStatus()
                        + (stop.get().timedOut() ? ", timed out" : ""));
            }
        }
    }
}
