package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.internal.VolumeViews;
import org.volumedriver.shell.support.DriverAction;

/** {@code volume:drivers}: the registered volume drivers. */
@Service
@Command(scope = "volume", name = "drivers", description = "Lists the registered volume drivers with their mount and attachment counts")
public class DriversCommand extends DriverAction {

    @Option(name = "--no-format", description = "Plain tab-separated rows without header")
    boolean noFormat;

    @Override
    protected void run() {
        VolumeViews.drivers(drivers().drivers(), System.out, !noFormat);
    }
}
