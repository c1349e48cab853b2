package org.volumedriver.quobyte.shell.commands;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.shell.internal.QuobyteViews;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.ServiceUnavailableException;
import org.volumedriver.shell.support.Views;

/** {@code quobyte:config}: the Quobyte driver's configuration in force. */
@Service
@Command(scope = "quobyte", name = "config", description = "Shows the Quobyte driver's configuration in force, key by key")
public class QuobyteConfigCommand extends DriverAction {

    @Reference(optional = true)
    QuobyteAdmin quobyte;

    @Option(name = "--no-format", description = "Plain tab-separated rows without header")
    boolean noFormat;

    @Override
    protected void run() {
        Views.configuration(ServiceUnavailableException.require(quobyte, QuobyteViews.ADMIN).configuration(), System.out,
                !noFormat);
    }
}
