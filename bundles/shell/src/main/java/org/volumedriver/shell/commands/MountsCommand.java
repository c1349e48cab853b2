package org.volumedriver.shell.commands;

import java.util.Optional;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.support.Candidates;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.Views;

/** {@code volume:mounts}: the mounts of every driver. */
@Service
@Command(scope = "volume", name = "mounts", description = "Lists the mounts the drivers manage: export (redacted), directory, state, attachments, since")
public class MountsCommand extends DriverAction {

    @Option(name = "-d", aliases = "--driver", description = "Only this driver type")
    @Completion(DriverTypeCompleter.class)
    String driver;

    @Option(name = "-e", aliases = "--export", description = "Only this export, as listed")
    @Completion(ExportCompleter.class)
    String export;

    @Option(name = "--no-format", description = "Plain tab-separated rows without header")
    boolean noFormat;

    @Override
    protected void run() throws Exception {
        Views.mounts(Candidates.filter(drivers().mounts(Optional.ofNullable(driver)), export, null), System.out, !noFormat);
    }
}
