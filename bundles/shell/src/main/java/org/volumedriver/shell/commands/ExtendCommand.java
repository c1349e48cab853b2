package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.volumedriver.libvirt.AttachedVolumes;
import org.volumedriver.libvirt.ExtendResult;
import org.volumedriver.shell.internal.ConnectionInfoInput;
import org.volumedriver.shell.internal.SizeArgument;
import org.volumedriver.shell.internal.SnapshotViews;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.ServiceUnavailableException;
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.ConnectionInfo;

/**
 * {@code volume:extend}: tells a running guest that its disk of a volume grew (the storage side
 * grew the file first), as Nova's extend_volume. A shrink is refused.
 */
@Service
@Command(scope = "volume", name = "extend", description = "Grows the guest's disk of a volume to the new size the storage side "
        + "gave the file (bytes, or with a binary suffix K, M, G, T); a shrink is refused")
public class ExtendCommand extends DriverAction {

    static final String USAGE = "volume:extend <domain> <connection-info> <size> | volume:extend -f <path> <domain> <size>";

    @Reference(optional = true)
    AttachedVolumes volumes;

    @Option(name = "-f", aliases = "--file", description = "Read the connection info (JSON) from this file")
    @Completion(FileCompleter.class)
    String file;

    @Argument(index = 0, name = "domain", required = true, description = "The libvirt domain name")
    String domain;

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes (left out with --file)")
    String json;

    @Argument(index = 2, name = "size", description = "The new size: bytes, or a whole number with K, M, G or T (powers of 1024)")
    String size;

    @Override
    protected void run() throws Exception {
        ConnectionInfoInput.requireName(domain, "domain", USAGE);
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
        ConnectionInfo info = ConnectionInfoInput.read(infoText, file);
        AttachedVolumes service = ServiceUnavailableException.require(volumes, "libvirt attached volumes");
        ExtendResult result = service.extend(domain, info, bytes);
        System.out.println(SnapshotViews.extendHeadline(result));
        Views.report(SnapshotViews.extend(result), System.out);
    }
}
