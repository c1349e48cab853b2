package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.libvirt.SnapshotResult;
import org.volumedriver.shell.internal.SnapshotViews;
import org.volumedriver.spi.ConnectionInfo;

/**
 * {@code volume:snapshot-create}: switches a running guest's disk to a new qcow2 file the storage
 * side created on top of the current one (an assisted snapshot, as Nova's volume_snapshot_create).
 */
@Service
@Command(scope = "volume", name = "snapshot-create", description = "Switches the guest's disk of a volume to a new qcow2 file whose "
        + "backing file is the current one (assisted snapshot; the storage side created the file)")
public class SnapshotCreateCommand extends AttachedVolumeAction {

    static final String USAGE = "volume:snapshot-create [-f <path>] --snapshot-id <uuid> --new-file <name> <domain> [<connection-info>]";

    @Option(name = "--snapshot-id", required = true, description = "The snapshot's UUID")
    String snapshotId;

    @Option(name = "--new-file", required = true, description = "The new active file's name in the volume's directory")
    String newFile;

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    @Override
    protected void run() throws Exception {
        requireDomain(USAGE);
        ConnectionInfo info = connectionInfo(json);
        SnapshotResult result = attachedVolumes().snapshotCreate(domain, info, snapshotId, newFile);
        reportWithChain(System.out, SnapshotViews.snapshotHeadline(result), SnapshotViews.snapshot(result), result.chain());
    }
}
