package org.volumedriver.shell.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.ValidatedVolume;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriver;

/**
 * Renders what the commands show: tables with Karaf's {@link ShellTable} and key/value reports.
 *
 * <p>Everything that could carry a secret (exports, details, argument forms) goes through
 * {@link Redactor} here, so the commands cannot forget it. Tables print with
 * {@code format = false} as tab-separated rows without decoration, for scripts.
 */
public final class Views {

    /** Shown in a table with no rows. */
    public static final String NONE = "(none)";

    private Views() {
    }

    /**
     * @param drivers the drivers by type
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void drivers(Map<String, VolumeDriver> drivers, PrintStream out, boolean format) {
        ShellTable table = table(format);
        table.column("Type");
        table.column("Mounts").alignRight();
        table.column("Attachments").alignRight();
        for (Map.Entry<String, VolumeDriver> entry : drivers.entrySet()) {
            List<MountStatus> mounts = entry.getValue().mounts();
            int attachments = mounts.stream().mapToInt(m -> m.attachments().size()).sum();
            table.addRow().addContent(entry.getKey(), mounts.size(), attachments);
        }
        print(table, out, format);
    }

    /**
     * @param mounts the mounts to list
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void mounts(List<MountStatus> mounts, PrintStream out, boolean format) {
        ShellTable table = table(format);
        table.column("Driver");
        table.column("Export");
        table.column("Mount directory");
        table.column("State");
        table.column("Attachments").alignRight();
        table.column("Since");
        table.column("Detail");
        for (MountStatus mount : mounts) {
            table.addRow().addContent(mount.driverType(), Redactor.redactText(mount.export()), mount.mountDirectory(),
                    mount.state().name(), mount.attachments().size(), since(mount.since()),
                    Redactor.redactText(mount.detail()));
        }
        print(table, out, format);
    }

    /**
     * @param mounts the mounts whose attachments to list
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void attachments(List<MountStatus> mounts, PrintStream out, boolean format) {
        ShellTable table = table(format);
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
        print(table, out, format);
    }

    /**
     * @param drivers the drivers by type
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void counters(Map<String, VolumeDriver> drivers, PrintStream out, boolean format) {
        ShellTable table = table(format);
        table.column("Driver");
        table.column("Counter");
        table.column("Value").alignRight();
        for (Map.Entry<String, VolumeDriver> entry : drivers.entrySet()) {
            for (Map.Entry<String, Long> counter : new TreeMap<>(entry.getValue().counters()).entrySet()) {
                table.addRow().addContent(entry.getKey(), counter.getKey(), counter.getValue());
            }
        }
        print(table, out, format);
    }

    /**
     * @param allowlist the executor's allowlist
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void allowlist(List<CommandDefinition> allowlist, PrintStream out, boolean format) {
        ShellTable table = table(format);
        table.column("Command");
        table.column("Executable");
        table.column("Privileged");
        table.column("Usable");
        table.column("Argument forms");
        table.column("Problem");
        List<CommandDefinition> sorted = new ArrayList<>(allowlist);
        sorted.sort((a, b) -> a.name().compareTo(b.name()));
        for (CommandDefinition definition : sorted) {
            String forms = definition.forms().isEmpty() ? NONE : definition.forms().stream()
                    .map(form -> form.isEmpty() ? "(no arguments)" : String.join(" ", Redactor.redactArgv(form)))
                    .collect(Collectors.joining(" ; "));
            table.addRow().addContent(definition.name(), definition.executable(), yesNo(definition.privileged()),
                    yesNo(definition.usable()), forms, Redactor.redactText(definition.problem()));
        }
        print(table, out, format);
    }

    /**
     * @param statistics the executor's counters by command
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void statistics(Map<String, CommandStatistics> statistics, PrintStream out, boolean format) {
        ShellTable table = table(format);
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
        print(table, out, format);
    }

    /**
     * @param configuration configuration keys and values
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void configuration(Map<String, String> configuration, PrintStream out, boolean format) {
        ShellTable table = table(format);
        table.column("Key");
        table.column("Value");
        for (Map.Entry<String, String> entry : new TreeMap<>(configuration).entrySet()) {
            String value = Redactor.isSensitiveKey(entry.getKey()) ? Redactor.MASK : Redactor.redactText(entry.getValue());
            table.addRow().addContent(entry.getKey(), value);
        }
        print(table, out, format);
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
     * Prints {@code Key<padding> : value} lines, keys padded to the longest.
     *
     * @param fields the fields in order
     * @param out where to print
     */
    public static void report(Map<String, String> fields, PrintStream out) {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Map.Entry<String, String> field : fields.entrySet()) {
            StringBuilder line = new StringBuilder(field.getKey());
            while (line.length() < width) {
                line.append(' ');
            }
            out.println(line.append(" : ").append(field.getValue()));
        }
    }

    /**
     * @param instant a point in time
     * @return it in UTC, to the second, ISO-8601 (for example {@code 2026-01-01T10:00:00Z})
     */
    public static String since(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
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

    private static ShellTable table(boolean format) {
        ShellTable table = new ShellTable();
        // ASCII separators: the same bytes on every terminal and in captured output
        table.forceAscii();
        table.emptyTableText(NONE);
        if (!format) {
            table.noHeaders();
        }
        return table;
    }

    private static void print(ShellTable table, PrintStream out, boolean format) {
        if (format) {
            table.print(out, true);
            return;
        }
        // ShellTable pads cells even between tabs; scripts get the bare values
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        table.print(new PrintStream(buffer, true, StandardCharsets.UTF_8), false);
        buffer.toString(StandardCharsets.UTF_8).lines()
                .map(line -> Arrays.stream(line.split("\t", -1)).map(String::strip).collect(Collectors.joining("\t")))
                .forEach(out::println);
    }
}
