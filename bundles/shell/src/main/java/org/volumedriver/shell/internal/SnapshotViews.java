package org.volumedriver.shell.internal;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.table.ShellTable;
import org.volumedriver.libvirt.ChainLink;
import org.volumedriver.libvirt.DiskChain;
import org.volumedriver.libvirt.ExtendResult;
import org.volumedriver.libvirt.MergeResult;
import org.volumedriver.libvirt.SnapshotResult;
import org.volumedriver.shell.support.Views;

/**
 * Renders what {@code volume:snapshot-create}, {@code volume:snapshot-delete}, {@code volume:extend}
 * and {@code volume:chain} show: a disk's backing chain and the results of the operations on it.
 * Paths, domain names and devices come from libvirt's domain definitions and are printed without
 * control characters.
 */
public final class SnapshotViews {

    private SnapshotViews() {
    }

    /**
     * @param chain a disk's chain
     * @return one line naming the domain, the disk, its serial and the chain's length
     */
    public static String chainSummary(DiskChain chain) {
        return "Chain of " + VolumeViews.printable(chain.targetDev()) + " in domain " + VolumeViews.printable(chain.domain())
                + chain.serial().map(s -> " (serial " + VolumeViews.printable(s) + ")").orElse("") + ": "
                + chain.links().size() + (chain.links().size() == 1 ? " file" : " files") + ", the active one first";
    }

    /**
     * @param links the chain, the active file first
     * @param out where to print
     * @param format {@code false} for plain tab-separated rows
     */
    public static void chain(List<ChainLink> links, PrintStream out, boolean format) {
        ShellTable table = Views.table(format);
        table.column("Position").alignRight();
        table.column("Path");
        table.column("Format");
        int position = 0;
        for (ChainLink link : links) {
            table.addRow().addContent(position++, VolumeViews.printable(link.path()), VolumeViews.printable(link.format()));
        }
        Views.print(table, out, format);
    }

    /**
     * @param result a snapshot
     * @return one line: which disk writes to which file now
     */
    public static String snapshotHeadline(SnapshotResult result) {
        return "Snapshot " + result.snapshotId() + " of domain " + VolumeViews.printable(result.domain()) + ": "
                + VolumeViews.printable(result.targetDev()) + " now writes to " + active(result.chain());
    }

    /**
     * @param result a merge
     * @return one line: which file left which disk's chain, and how
     */
    public static String mergeHeadline(MergeResult result) {
        return "Merged " + VolumeViews.printable(result.mergedAway()) + " out of the chain of " + VolumeViews.printable(result.targetDev())
                + " in domain " + VolumeViews.printable(result.domain()) + " (" + result.kind().name()
                + "); the file stays on the share for the storage side to delete";
    }

    /**
     * @param result an extend
     * @return one line: which disk grew from what to what
     */
    public static String extendHeadline(ExtendResult result) {
        return "Extended " + VolumeViews.printable(result.targetDev()) + " of domain " + VolumeViews.printable(result.domain()) + " from "
                + result.oldSizeBytes() + " to " + result.newSizeBytes() + " bytes";
    }

    /**
     * @param result a snapshot
     * @return its fields for a key/value report
     */
    public static Map<String, String> snapshot(SnapshotResult result) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Domain", VolumeViews.printable(result.domain()));
        fields.put("Target dev", VolumeViews.printable(result.targetDev()));
        fields.put("Snapshot id", result.snapshotId());
        fields.put("Active file", active(result.chain()));
        fields.put("Quiesced", result.quiesced() ? "yes" : "no (crash-consistent: the guest agent did not freeze the file systems)");
        fields.put("Took ms", millis(result.duration()));
        return fields;
    }

    /**
     * @param result a merge
     * @return its fields for a key/value report
     */
    public static Map<String, String> merge(MergeResult result) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Domain", VolumeViews.printable(result.domain()));
        fields.put("Target dev", VolumeViews.printable(result.targetDev()));
        fields.put("Merge", result.kind().name());
        fields.put("Merged away", VolumeViews.printable(result.mergedAway()));
        fields.put("Active file", active(result.chain()));
        fields.put("Took ms", millis(result.duration()));
        return fields;
    }

    /**
     * @param result an extend
     * @return its fields for a key/value report
     */
    public static Map<String, String> extend(ExtendResult result) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Domain", VolumeViews.printable(result.domain()));
        fields.put("Target dev", VolumeViews.printable(result.targetDev()));
        fields.put("Old size", SizeArgument.describe(result.oldSizeBytes()));
        fields.put("New size", SizeArgument.describe(result.newSizeBytes()));
        fields.put("Took ms", millis(result.duration()));
        return fields;
    }

    private static String active(DiskChain chain) {
        return chain.links().isEmpty() ? Views.NONE : VolumeViews.printable(chain.links().get(0).path());
    }

    private static String millis(Duration duration) {
        return duration == null ? "0" : Long.toString(duration.toMillis());
    }
}
