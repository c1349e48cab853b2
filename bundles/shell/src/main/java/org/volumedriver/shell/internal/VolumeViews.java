package org.volumedriver.shell.internal;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.karaf.shell.support.table.ShellTable;
import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriver;

/**
 * Renders what the {@code volume:*} commands show beyond the shared {@link Views}: drivers,
 * attachments, counters, the executor's allowlist and statistics, disks, attach and detach results,
 * reconciliations.
 * Argument forms and problems go through {@link Redactor} here.
 */
public final class VolumeViews {

    private VolumeViews() {
    }

    /**
     * @param drivers the drivers by type
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void drivers(Map<String, VolumeDriver> drivers, PrintStream out, boolean format) {
        ShellTable table = Views.table(format);
        table.column("Type");
        table.column("Mounts").alignRight();
        table.column("Attachments").alignRight();
        for (Map.Entry<String, VolumeDriver> entry : drivers.entrySet()) {
            List<MountStatus> mounts = entry.getValue().mounts();
            int attachments = mounts.stream().mapToInt(m -> m.attachments().size()).sum();
            table.addRow().addContent(entry.getKey(), mounts.size(), attachments);
        }
        Views.print(table, out, format);
    }

    /**
     * @param mounts the mounts whose attachments to list
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void attachments(List<MountStatus> mounts, PrintStream out, boolean format) {
        ShellTable table = Views.table(format);
        table.column("Driver");
        table.column("Instance");
        table.column("Volume");
        table.column("Mount directory");
        table.column("State");
        for (MountStatus mount : mounts) {
            for (Attachment attachment : mount.attachments()) {
                table.addRow().addContent(mount.driverType(), attachment.instance(), attachment.volume(),
                        mount.mountDirectory(), mount.state().name());
            }
        }
        Views.print(table, out, format);
    }

    /**
     * @param drivers the drivers by type
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void counters(Map<String, VolumeDriver> drivers, PrintStream out, boolean format) {
        ShellTable table = Views.table(format);
        table.column("Driver");
        table.column("Counter");
        table.column("Value").alignRight();
        for (Map.Entry<String, VolumeDriver> entry : drivers.entrySet()) {
            for (Map.Entry<String, Long> counter : new TreeMap<>(entry.getValue().counters()).entrySet()) {
                table.addRow().addContent(entry.getKey(), counter.getKey(), counter.getValue());
            }
        }
        Views.print(table, out, format);
    }

    /**
     * @param allowlist the executor's allowlist
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void allowlist(List<CommandDefinition> allowlist, PrintStream out, boolean format) {
        ShellTable table = Views.table(format);
        table.column("Command");
        table.column("Executable");
        table.column("Privileged");
        table.column("Usable");
        table.column("Argument forms");
        table.column("Problem");
        List<CommandDefinition> sorted = new ArrayList<>(allowlist);
        sorted.sort((a, b) -> a.name().compareTo(b.name()));
        for (CommandDefinition definition : sorted) {
            String forms = definition.forms().isEmpty() ? Views.NONE : definition.forms().stream()
                    .map(form -> form.isEmpty() ? "(no arguments)" : String.join(" ", Redactor.redactArgv(form)))
                    .collect(Collectors.joining(" ; "));
            table.addRow().addContent(definition.name(), definition.executable(), yesNo(definition.privileged()),
                    yesNo(definition.usable()), forms, Redactor.redactText(definition.problem()));
        }
        Views.print(table, out, format);
    }

    /**
     * @param statistics the executor's counters by command
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void statistics(Map<String, CommandStatistics> statistics, PrintStream out, boolean format) {
        ShellTable table = Views.table(format);
        table.column("Command");
        table.column("Runs").alignRight();
        table.column("Failures").alignRight();
        table.column("Timeouts").alignRight();
        table.column("Rejected").alignRight();
        table.column("Mean ms").alignRight();
        table.column("Max ms").alignRight();
        for (Map.Entry<String, CommandStatistics> entry : new TreeMap<>(statistics).entrySet()) {
            CommandStatistics s = entry.getValue();
            table.addRow().addContent(entry.getKey(), s.runs(), s.failures(), s.timeouts(), s.rejected(),
                    meanMillis(s.totalDuration(), s.runs()), millis(s.maxDuration()));
        }
        Views.print(table, out, format);
    }

    /**
     * @param disk a disk description
     * @return its fields for a key/value report, absent values left out
     */
    public static Map<String, String> disk(DiskSpec disk) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Source type", disk.sourceType());
        fields.put("Source", disk.sourcePath());
        fields.put("Format", disk.format());
        disk.cache().ifPresent(v -> fields.put("Cache", v));
        disk.io().ifPresent(v -> fields.put("IO", v));
        disk.targetDev().ifPresent(v -> fields.put("Target dev", v));
        disk.targetBus().ifPresent(v -> fields.put("Target bus", v));
        disk.serial().ifPresent(v -> fields.put("Serial", v));
        disk.discard().ifPresent(v -> fields.put("Discard", v));
        fields.put("Read-only", yesNo(disk.readOnly()));
        return fields;
    }

    /**
     * @param result an attach
     * @return its fields for a key/value report
     */
    public static Map<String, String> attached(AttachResult result) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Domain", result.domain());
        fields.put("Mode", result.mode().name());
        fields.putAll(disk(result.disk()));
        return fields;
    }

    /**
     * @param result a detach
     * @return its fields for a key/value report
     */
    public static Map<String, String> detached(DetachResult result) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Domain", result.domain());
        fields.put("Outcome", result.outcome().name());
        fields.put("Volume", result.disconnect().map(Enum::name).orElse("still connected"));
        fields.put("Waited ms", Long.toString(result.waited().toMillis()));
        return fields;
    }

    /**
     * The mounts table of {@link Views#mounts} with a last column {@code Guests}: the names of the
     * libvirt guests that use a file under each mount, comma-separated.
     *
     * @param mounts the mounts to list
     * @param guests guest names by mount directory; {@code null} leaves the column out (libvirt
     *        could not be asked), a directory missing from the map shows none
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void mounts(List<MountStatus> mounts, Map<String, List<String>> guests, PrintStream out, boolean format) {
        if (guests == null) {
            Views.mounts(mounts, out, format);
            return;
        }
        ShellTable table = Views.table(format);
        table.column("Driver");
        table.column("Export");
        table.column("Mount directory");
        table.column("State");
        table.column("Attachments").alignRight();
        table.column("Since");
        table.column("Detail");
        table.column("Guests");
        for (MountStatus mount : mounts) {
            table.addRow().addContent(mount.driverType(), Redactor.redactText(mount.export()), mount.mountDirectory(),
                    mount.state().name(), mount.attachments().size(), Views.since(mount.since()), Redactor.redactText(mount.detail()),
                    String.join(",", guests.getOrDefault(mount.mountDirectory(), List.of())));
        }
        Views.print(table, out, format);
    }

    /**
     * @param report a reconciliation
     * @return one line: what was read and decided, and whether anything changed
     */
    public static String reconcileSummary(ReconcileReport report) {
        return (report.dryRun() ? "Dry run, nothing changed: " : "Reconciled: ") + report.domains() + " domains; "
                + report.count(ReconcileAction.ADOPTED) + " adopted, " + report.count(ReconcileAction.DRIFT_KEPT) + " drift kept, "
                + report.count(ReconcileAction.DRIFT_RELEASED) + " drift released, " + report.count(ReconcileAction.UNTOUCHED)
                + " untouched, " + report.count(ReconcileAction.REJECTED) + " rejected, " + report.count(ReconcileAction.FAILED)
                + " failed; drift is " + (report.releaseOrphans() ? "released once confirmed" : "reported only") + " ("
                + report.took().toMillis() + " ms)";
    }

    /**
     * @param rows the rows of a reconciliation
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void reconcileRows(List<ReconcileRow> rows, PrintStream out, boolean format) {
        ShellTable table = Views.table(format);
        table.column("Action");
        table.column("Domain");
        table.column("UUID");
        table.column("Instance");
        table.column("Driver");
        table.column("Mount directory");
        table.column("Volume");
        table.column("Source");
        table.column("Reason");
        for (ReconcileRow row : rows) {
            table.addRow().addContent(row.action().name(), printable(row.domainName()), row.domainUuid(), row.instance(), row.driver(),
                    row.mountDirectory(), row.volume(), printable(row.source()), Redactor.redactText(printable(row.reason())));
        }
        Views.print(table, out, format);
    }

    /** Domain names and sources come from domain definitions: no control character reaches the terminal. */
    static String printable(String text) {
        return text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    private static long millis(Duration duration) {
        return duration == null ? 0 : duration.toMillis();
    }

    private static long meanMillis(Duration total, long runs) {
        return total == null || runs <= 0 ? 0 : total.toMillis() / runs;
    }
}
