package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.VolumeDriver;

/** {@code volume:disconnect}: gives up an instance's attachment of a volume. */
@Service
@Command(scope = "volume", name = "disconnect", description = "Disconnects a volume for an instance (unmounts its export after the last attachment)")
public class DisconnectCommand extends InstanceVolumeAction {

    @Override
    String name() {
        return "disconnect";
    }

    @Override
    void act(VolumeDriver driver, ConnectionInfo info, Attachment attachment) throws Exception {
        DisconnectOutcome outcome = driver.disconnect(info, attachment);
        System.out.println("Disconnected " + attachment + " (driver " + driver.type() + "): " + outcome.name());
    }
}
