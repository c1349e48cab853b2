package org.volumedriver.quobyte.shell.commands;

import java.util.Optional;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.shell.internal.QuobyteViews;
import org.volumedriver.shell.support.Candidates;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.Views;

/**
 * {@code quobyte:mounts}: the Quobyte driver's mounts with their FUSE connections (through
 * {@link QuobyteAdmin}; without it, the generic table).
 */
@Service
@Command(scope = "quobyte", name = "mounts", description = "Lists the Quobyte mounts: export (redacted), directory, state, attachments, "
        + "FUSE connection and its unanswered requests, since")
public class QuobyteMountsCommand extends DriverAction {

    @Option(name = "-e", aliases = "--export", description = "Only this export, as listed")
    @Completion(QuobyteExportCompleter.class)
    String export;

    @Option(name = "--no-format", description = "Plain tab-separated rows without header")
    boolean noFormat;

    @Reference(optional = true)
    QuobyteAdmin quobyte;

    @Override
    protected void run() throws Exception {
        if (quobyte != null) {
            QuobyteViews.mounts(quobyte.mounts().stream().filter(m -> export == null || m.status().export().equals(export)).toList(),
                    System.out, !noFormat);
            return;
        }
        Views.mounts(Candidates.filter(drivers().mounts(Optional.of(QuobyteAdmin.DRIVER_TYPE)), export, null), System.out,
                !noFormat);
    }
}
