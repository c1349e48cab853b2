package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.shell.internal.VolumeViews;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.ServiceUnavailableException;

/** {@code volume:executor}: the executor's allowlist and counters. */
@Service
@Command(scope = "volume", name = "executor", description = "Shows the command executor's allowlist and its counters per command")
public class ExecutorCommand extends DriverAction {

    @Reference(optional = true)
    CommandExecutor executor;

    @Option(name = "--no-format", description = "Plain tab-separated rows without headers or titles")
    boolean noFormat;

    @Override
    protected void run() {
        CommandExecutor service = ServiceUnavailableException.require(executor, "command executor");
        if (!noFormat) {
            System.out.println("Allowlist");
        }
        VolumeViews.allowlist(service.allowlist(), System.out, !noFormat);
        if (!noFormat) {
            System.out.println();
            System.out.println("Counters");
        }
        VolumeViews.statistics(service.statistics(), System.out, !noFormat);
    }
}
