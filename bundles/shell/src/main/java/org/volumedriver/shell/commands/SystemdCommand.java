package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.shell.internal.ServiceUnavailableException;
import org.volumedriver.shell.internal.Views;

/** {@code quobyte:systemd}: whether mounts run in a transient systemd scope, and why. */
@Service
@Command(scope = "quobyte", name = "systemd", description = "Shows whether Quobyte mounts run in a transient systemd scope, and why")
public class SystemdCommand extends ShellAction {

    @Reference(optional = true)
    QuobyteAdmin quobyte;

    @Override
    void run() {
        Views.report(Views.systemd(ServiceUnavailableException.require(quobyte, "Quobyte admin").systemdDecision()), System.out);
    }
}
