package org.volumedriver.shell.commands;

import java.util.Optional;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.internal.VolumeViews;
import org.volumedriver.shell.support.Candidates;
import org.volumedriver.shell.support.DriverAction;

/** {@code volume:attachments}: every attachment the drivers count. */
@Service
@Command(scope = "volume", name = "attachments", description = "Lists the attachments (volume and instance) the drivers count, with their mount")
public class AttachmentsCommand extends DriverAction {

    @Option(name = "-d", aliases = "--driver", description = "Only this driver type")
    @Completion(DriverTypeCompleter.class)
    String driver;

    @Option(name = "-i", aliases = "--instance", description = "Only this instance")
    @Completion(InstanceCompleter.class)
    String instance;

    @Option(name = "--no-format", description = "Plain tab-separated rows without header")
    boolean noFormat;

    @Override
    protected void run() throws Exception {
        VolumeViews.attachments(Candidates.filter(drivers().mounts(Optional.ofNullable(driver)), null, instance), System.out,
                !noFormat);
    }
}
