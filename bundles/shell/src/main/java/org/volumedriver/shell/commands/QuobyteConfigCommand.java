package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.shell.internal.ServiceUnavailableException;
import org.volumedriver.shell.internal.Views;

/** {@code quobyte:config}: the Quobyte driver's configuration in force. */
@Service
@Command(scope = "quobyte", name = "config", description = "Shows the Quobyte driver's configuration in force, key by key")
public class QuobyteConfigCommand extends ShellAction {

    @Reference(optional = true)
    QuobyteAdmin quobyte;

    @Option(name = "--no-format", description = "Plain tab-separated rows without header")
    boolean noFormat;

    @Override
    void run() {
        Views.configuration(ServiceUnavailableException.require(quobyte, "Quobyte admin").configuration(), System.out, !noFormat);
    }
}
