package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.libvirt.ExtendResult;
import org.volumedriver.shell.internal.SizeArgument;
import org.volumedriver.shell.internal.SnapshotViews;
import org.volumedriver.spi.ConnectionInfo;

/**
 * {@code volume:extend}: tells a running guest that its disk of a volume grew (the storage side
 * grew the file first), as Nova's extend_volume. A shrink is refused.
 */
@Service
@Command(scope = "volume", name = "extend", description = "Grows the guest's disk of a volume to the new size the storage side "
        + "gave the file (bytes, or with a binary suffix K, M, G, T); a shrink is refused")
public class ExtendCommand extends AttachedVolumeAction {

    static final String USAGE = "volume:extend <domain> <connection-info> <size> | volume:extend -f <path> <domain> <size>";

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes (left out with --file)")
    String json;

    @Argument(index = 2, name = "size", description = "The new size: bytes, or a whole number with K, M, G or T (powers of 1024)")
    String size;

    @Override
    protected void run() throws Exception {
        requireDomain(USAGE);
        String infoText = json;
        String sizeText = size;
        if (file != null && !file.isBlank() && size == null) {
            // with --file the size follows the domain directly
            sizeText = json;
            infoText = null;
        }
        if (sizeText == null || sizeText.isBlank()) {
            throw new IllegalArgumentException("the new size is missing; usage: " + USAGE);
        }
        long bytes = SizeArgument.parseBytes(sizeText);
        ConnectionInfo info = connectionInfo(infoText);
        ExtendResult result = attachedVolumes().extend(domain, info, bytes);
        report(System.out, SnapshotViews.extendHeadline(result), SnapshotViews.extend(result));
    }
}
