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
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriver;

/**
 * Renders what the {@code volume:*} commands show beyond the shared {@link Views}: drivers,
 * attachments, counters, the executor's allowlist and statistics, disks, attach and detach results.
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
