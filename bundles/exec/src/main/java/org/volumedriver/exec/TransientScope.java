package org.volumedriver.exec;

import java.util.Objects;

/**
 * A transient systemd scope to run a command in, so that the processes it leaves behind (a FUSE
 * client daemon) survive a restart of the calling service. The executor prefixes the command with
 * {@code systemd-run --scope --quiet --collect --unit=<unit> --slice=<slice>
 * --description=<description> --}, using its allowlisted {@code systemd-run}.
 *
 * @param unit the unit name, ending in {@code .scope}; letters, digits and {@code :_.-} only
 * @param slice the slice, ending in {@code .slice}; letters, digits and {@code :_.-} only
 * @param description fixed descriptive text; letters, digits, spaces and {@code :_.-} only
 */
public record TransientScope(String unit, String slice, String description) {

    private static final String UNIT_CHARS = "[A-Za-z0-9:_.-]{1,200}";

    /**
     * Validates every part, so that nothing free-form reaches {@code systemd-run}.
     *
     * @param unit the unit name
     * @param slice the slice
     * @param description the description
     */
    public TransientScope {
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(slice, "slice");
        Objects.requireNonNull(description, "description");
        if (!unit.matches(UNIT_CHARS) || !unit.endsWith(".scope") || unit.startsWith("-")) {
            throw new IllegalArgumentException("scope unit must match " + UNIT_CHARS + " and end in .scope");
        }
        if (!slice.matches(UNIT_CHARS) || !slice.endsWith(".slice") || slice.startsWith("-")) {
            throw new IllegalArgumentException("scope slice must match " + UNIT_CHARS + " and end in .slice");
        }
        if (!description.matches("[A-Za-z0-9][A-Za-z0-9 :_.-]{0,199}")) {
            throw new IllegalArgumentException("scope description must be plain text");
        }
    }
}
