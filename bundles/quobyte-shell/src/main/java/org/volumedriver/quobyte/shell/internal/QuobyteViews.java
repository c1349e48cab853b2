package org.volumedriver.quobyte.shell.internal;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

import org.apache.karaf.shell.support.table.ShellTable;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.quobyte.QuobyteMount;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.ValidatedVolume;
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;

/**
 * The Quobyte driver's own reports, as fields for {@code Views.report}; reasons and exports go
 * through {@link Redactor}.
 */
public final class QuobyteViews {

    /** The short name of the {@code QuobyteAdmin} service in the "service unavailable" line. */
    public static final String ADMIN = "Quobyte admin";

    private QuobyteViews() {
    }

    /**
     * @param decision the Quobyte driver's systemd decision
     * @return its fields for a key/value report
     */
    public static Map<String, String> systemd(SystemdDecision decision) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Systemd scope", decision.useScope() ? "used" : "not used");
        fields.put("Mode", decision.mode());
        fields.put("Reason", Redactor.redactText(decision.reason()));
        return fields;
    }

    /**
     * The mounts table of {@code volume:mounts} with two more columns: the FUSE connection (its
     * number under {@code /sys/fs/fuse/connections}) and the requests its client has not answered
     * ({@code -} where unknown: not mounted, fusectl not mounted, or not readable).
     *
     * @param mounts the Quobyte mounts
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void mounts(List<QuobyteMount> mounts, PrintStream out, boolean format) {
        ShellTable table = Views.table(format);
        table.column("Driver");
        table.column("Export");
        table.column("Mount directory");
        table.column("State");
        table.column("Attachments").alignRight();
        table.column("Connection").alignRight();
        table.column("Waiting").alignRight();
        table.column("Since");
        table.column("Detail");
        for (QuobyteMount mount : mounts) {
            MountStatus s = mount.status();
            table.addRow().addContent(s.driverType(), Redactor.redactText(s.export()), s.mountDirectory(), s.state().name(),
                    s.attachments().size(), number(mount.connection()), number(mount.waiting()), Views.since(s.since()),
                    Redactor.redactText(s.detail()));
        }
        Views.print(table, out, format);
    }

    private static String number(OptionalLong value) {
        return value.isPresent() ? Long.toString(value.getAsLong()) : "-";
    }

    /**
     * What a heal did, one line per step in order: {@code aborted}, {@code unmounted}, {@code lazy},
     * {@code scope stopped}, {@code remounted}, each with its outcome and detail.
     *
     * @param steps the heal's steps
     * @return its fields for a key/value report
     */
    public static Map<String, String> healSteps(List<HealStep> steps) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (HealStep step : steps) {
            String outcome = step.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            fields.put(label(step.action()), step.detail().isEmpty() ? outcome : outcome + ": " + Redactor.redactText(step.detail()));
        }
        return fields;
    }

    private static String label(HealStep.Action action) {
        return switch (action) {
            case ABORT -> "aborted";
            case UNMOUNT -> "unmounted";
            case LAZY_UNMOUNT -> "lazy";
            case END_SCOPE -> "scope stopped";
            case REMOUNT -> "remounted";
        };
    }

    /**
     * @param volume what the Quobyte driver's dry run found
     * @return its fields for a key/value report
     */
    public static Map<String, String> validated(ValidatedVolume volume) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Export", Redactor.redactText(volume.export()));
        fields.put("Mount directory", volume.mountDirectory());
        fields.put("Volume file", volume.volumePath());
        fields.put("Format", volume.format());
        return fields;
    }
}
