package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.libvirt.DiskChain;
import org.volumedriver.shell.internal.SnapshotViews;
import org.volumedriver.spi.ConnectionInfo;

/** {@code volume:chain}: the files a guest's disk of a volume reads through, as libvirt has them now. */
@Service
@Command(scope = "volume", name = "chain", description = "Lists the backing chain of the guest's disk of a volume from the live "
        + "definition: position, path, format; the active file first")
public class ChainCommand extends AttachedVolumeAction {

    static final String USAGE = "volume:chain [-f <path>] [--no-format] <domain> [<connection-info>]";

    @Option(name = "--no-format", description = "Plain tab-separated rows without summary or header")
    boolean noFormat;

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    @Override
    protected void run() throws Exception {
        requireDomain(USAGE);
        ConnectionInfo info = connectionInfo(json);
        DiskChain chain = attachedVolumes().chain(domain, info);
        if (!noFormat) {
            System.out.println(SnapshotViews.chainSummary(chain));
        }
        SnapshotViews.chain(chain.links(), System.out, !noFormat);
    }
}
