package org.volumedriver.quobyte.shell.commands;

import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.quobyte.HealReport;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.shell.internal.QuobyteViews;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.MountStatus;

/**
 * {@code quobyte:heal}: probes a Quobyte mount and heals it if it is stale, printing each step
 * (through {@link QuobyteAdmin}; without it, through the generic driver, state only).
 */
@Service
@Command(scope = "quobyte", name = "heal", description = "Probes a Quobyte mount and remounts it if it is stale (a hung client's "
        + "FUSE connection is aborted first); --force also when attachments use it")
public class HealCommand extends DriverAction {

    @Option(name = "--force", description = "Heal even if attachments or hypervisor guests still use the mount (guests get I/O errors "
            + "and lose their storage meanwhile)")
    boolean force;

    @Argument(index = 0, name = "mount-directory", required = true, description = "The mount directory, as listed by quobyte:mounts")
    @Completion(QuobyteMountDirectoryCompleter.class)
    String mountDirectory;

    @Reference(optional = true)
    QuobyteAdmin quobyte;

    @Override
    protected void run() throws Exception {
        MountStatus status;
        if (quobyte != null) {
            HealReport report = quobyte.heal(mountDirectory, force);
            status = report.status();
            System.out.println("Mount " + status.mountDirectory() + ": " + status.state().name());
            Views.report(QuobyteViews.healSteps(report.steps()), System.out);
        } else {
            status = drivers().driver(QuobyteAdmin.DRIVER_TYPE).heal(mountDirectory, force);
            System.out.println("Mount " + status.mountDirectory() + ": " + status.state().name());
        }
        Views.mounts(List.of(status), System.out, true);
    }
}
