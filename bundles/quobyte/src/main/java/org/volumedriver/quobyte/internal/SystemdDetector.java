package org.volumedriver.quobyte.internal;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Decides whether mount commands run in a transient systemd scope (C2): in mode {@code auto},
 * {@code /run/systemd/system} must be a directory (no stray space in that path) and
 * {@code systemctl is-system-running} must print one of the states in {@link #ACCEPTED}. The
 * state is a keyword from systemctl's documented set, read from stdout; its exit status is not
 * used (it is non-zero for {@code degraded}).
 */
public final class SystemdDetector {

    /** The marker directory systemd creates when it is PID 1. */
    public static final Path RUN_SYSTEMD = Path.of("/run/systemd/system");
    /** The system states in which scopes can be created. */
    public static final Set<String> ACCEPTED = Set.of("running", "degraded", "starting");

    private SystemdDetector() {
    }

    /**
     * @param mode the configured mode
     * @param marker the marker directory (tests pass another)
     * @param executor runs {@code systemctl is-system-running}
     * @return the decision with its reason
     */
    public static SystemdDecision decide(Settings.SystemdMode mode, Path marker, CommandExecutor executor) {
        switch (mode) {
            case ON:
                return new SystemdDecision(true, "on", "systemd.mode=on: scopes are always used");
            case OFF:
                return new SystemdDecision(false, "off", "systemd.mode=off: scopes are never used");
            default:
                break;
        }
        if (!Files.isDirectory(marker, LinkOption.NOFOLLOW_LINKS)) {
            return new SystemdDecision(false, "auto", marker + " does not exist: systemd is not the init system");
        }
        CommandResult r;
        try {
            r = executor.run(CommandRequest.of("systemctl", Duration.ofSeconds(10), "is-system-running"));
        } catch (VolumeDriverException e) {
            return new SystemdDecision(false, "auto", "systemctl is-system-running could not run (" + e.code() + ")");
        }
        if (r.timedOut()) {
            return new SystemdDecision(false, "auto", "systemctl is-system-running timed out");
        }
        String state = r.stdout() == null ? "" : r.stdout().strip();
        int nl = state.indexOf('\n');
        if (nl >= 0) {
            state = state.substring(0, nl).strip();
        }
        if (ACCEPTED.contains(state)) {
            return new SystemdDecision(true, "auto", marker + " exists and the system state is " + state);
        }
        String shown = state.matches("[a-z-]{1,32}") ? state : "unrecognised";
        return new SystemdDecision(false, "auto", marker + " exists but the system state is " + shown
                + " (exit status " + r.exitStatus() + ")");
    }
}
