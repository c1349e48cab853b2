package org.volumedriver.quobyte.shell.commands;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.shell.internal.QuobyteViews;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.ServiceUnavailableException;
import org.volumedriver.shell.support.Views;

/** {@code quobyte:systemd}: whether mounts run in a transient systemd scope, and why. */
@Service
@Command(scope = "quobyte", name = "systemd", description = "Shows whether Quobyte mounts run in a transient systemd scope, and why")
public class SystemdCommand extends DriverAction {

    @Reference(optional = true)
    QuobyteAdmin quobyte;

    @Override
    protected void run() {
        Views.report(QuobyteViews.systemd(ServiceUnavailableException.require(quobyte, QuobyteViews.ADMIN).systemdDecision()),
                System.out);
    }
}
