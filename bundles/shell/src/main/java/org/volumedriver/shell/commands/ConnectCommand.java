package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.internal.VolumeViews;
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.VolumeDriver;

/** {@code volume:connect}: makes a volume available on this host for an instance. */
@Service
@Command(scope = "volume", name = "connect", description = "Connects a volume for an instance (mounts its export on first use) and shows the disk")
public class ConnectCommand extends InstanceVolumeAction {

    @Override
    String name() {
        return "connect";
    }

    @Override
    void act(VolumeDriver driver, ConnectionInfo info, Attachment attachment) throws Exception {
        DiskSpec disk = driver.connect(info, attachment);
        System.out.println("Connected " + attachment + " (driver " + driver.type() + ")");
        Views.report(VolumeViews.disk(disk), System.out);
    }
}
