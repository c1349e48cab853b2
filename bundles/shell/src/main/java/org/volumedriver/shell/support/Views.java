package org.volumedriver.shell.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.karaf.shell.support.table.ShellTable;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;

/**
 * The output layout every command shares: tables with Karaf's {@link ShellTable}, key/value
 * reports, timestamps, and the tables more than one scope shows (mounts, configuration).
 *
 * <p>Everything that could carry a secret (exports, details, configuration values) goes through
 * {@link Redactor} here, so the commands cannot forget it. Tables print with
 * {@code format = false} as tab-separated rows without decoration, for scripts.
 */
public final class Views {

    /** Shown in a table with no rows. */
    public static final String NONE = "(none)";

    private Views() {
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

    /**
     * @param format {@code false} for a table printed as plain rows without header
     * @return an empty table in the shared layout: ASCII separators, {@value #NONE} when empty
     */
    public static ShellTable table(boolean format) {
        ShellTable table = new ShellTable();
        // ASCII separators: the same bytes on every terminal and in captured output
        table.forceAscii();
        table.emptyTableText(NONE);
        if (!format) {
            table.noHeaders();
        }
        return table;
    }

    /**
     * @param table a table from {@link #table(boolean)}
     * @param out where to print
     * @param format the same value the table was made with
     */
    public static void print(ShellTable table, PrintStream out, boolean format) {
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
