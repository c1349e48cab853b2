package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.volumedriver.libvirt.AttachedVolumes;
import org.volumedriver.libvirt.SnapshotResult;
import org.volumedriver.shell.internal.ConnectionInfoInput;
import org.volumedriver.shell.internal.SnapshotViews;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.ServiceUnavailableException;
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.ConnectionInfo;

/**
 * {@code volume:snapshot-create}: switches a running guest's disk to a new qcow2 file the storage
 * side created on top of the current one (an assisted snapshot, as Nova's volume_snapshot_create).
 */
@Service
@Command(scope = "volume", name = "snapshot-create", description = "Switches the guest's disk of a volume to a new qcow2 file whose "
        + "backing file is the current one (assisted snapshot; the storage side created the file)")
public class SnapshotCreateCommand extends DriverAction {

    static final String USAGE = "volume:snapshot-create [-f <path>] --snapshot-id <uuid> --new-file <name> <domain> [<connection-info>]";

    @Reference(optional = true)
    AttachedVolumes volumes;

    @Option(name = "-f", aliases = "--file", description = "Read the connection info (JSON) from this file")
    @Completion(FileCompleter.class)
    String file;

    @Option(name = "--snapshot-id", required = true, description = "The snapshot's UUID")
    String snapshotId;

    @Option(name = "--new-file", required = true, description = "The new active file's name in the volume's directory")
    String newFile;

    @Argument(index = 0, name = "domain", required = true, description = "The libvirt domain name")
    String domain;

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    @Override
    protected void run() throws Exception {
        ConnectionInfoInput.requireName(domain, "domain", USAGE);
        ConnectionInfo info = ConnectionInfoInput.read(json, file);
        AttachedVolumes service = ServiceUnavailableException.require(volumes, "libvirt attached volumes");
        SnapshotResult result = service.snapshotCreate(domain, info, snapshotId, newFile);
        System.out.println(SnapshotViews.snapshotHeadline(result));
        Views.report(SnapshotViews.snapshot(result), System.out);
        System.out.println();
        SnapshotViews.chain(result.chain().links(), System.out, true);
    }
}
