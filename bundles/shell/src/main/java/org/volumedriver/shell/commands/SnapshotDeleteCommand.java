package org.volumedriver.shell.commands;

import java.io.PrintStream;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.volumedriver.libvirt.AttachedVolumes;
import org.volumedriver.libvirt.MergeResult;
import org.volumedriver.shell.internal.BlockJobProgressLine;
import org.volumedriver.shell.internal.SnapshotViews;
import org.volumedriver.spi.ConnectionInfo;

/**
 * {@code volume:snapshot-delete}: merges one file of a running guest's disk chain away, by Nova's
 * rule (volume_snapshot_delete): without a merge target the active image pulls the file in
 * (block rebase onto {@code --file-to-merge}); with one, {@code --file-to-merge} is committed into
 * {@code --merge-target}. The merged-away file stays on the share.
 */
@Service
@Command(scope = "volume", name = "snapshot-delete", description = "Merges a file out of the guest's disk chain: commit into "
        + "--merge-target, or without it pull into the active image on top of --file-to-merge; prints the block job's progress")
public class SnapshotDeleteCommand extends AttachedVolumeAction {

    static final String USAGE = "volume:snapshot-delete [-f <path>] --file-to-merge <name> [--merge-target <name>] <domain> [<connection-info>]";

    @Reference(optional = true)
    Session session;

    @Option(name = "--file-to-merge", required = true, description = "With --merge-target: the file committed into it; without: "
            + "the file that becomes the active image's backing (what lies between is pulled into the active image)")
    String fileToMerge;

    @Option(name = "--merge-target", description = "The file --file-to-merge is committed into (its direct backing file)")
    String mergeTarget;

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    @Override
    protected void run() throws Exception {
        requireDomain(USAGE);
        ConnectionInfo info = connectionInfo(json);
        AttachedVolumes service = attachedVolumes();
        // the job may report from another thread: its lines go to this command's console
        PrintStream console = System.out;
        BlockJobProgressLine progress = BlockJobProgressLine.forSession(session, console,
                mergeTarget == null ? "Block rebase" : "Block commit");
        MergeResult result;
        try {
            result = service.snapshotDelete(domain, info, fileToMerge, mergeTarget, progress);
        } finally {
            progress.finish();
        }
        reportWithChain(console, SnapshotViews.mergeHeadline(result), SnapshotViews.merge(result), result.chain());
    }
}
