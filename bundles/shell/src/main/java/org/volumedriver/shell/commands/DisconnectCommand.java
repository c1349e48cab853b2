package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.volumedriver.shell.internal.ConnectionInfoInput;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.VolumeDriver;

/** {@code volume:disconnect}: gives up an instance's attachment of a volume. */
@Service
@Command(scope = "volume", name = "disconnect", description = "Disconnects a volume for an instance (unmounts its export after the last attachment)")
public class DisconnectCommand extends DriverAction {

    @Option(name = "-f", aliases = "--file", description = "Read the connection info (JSON) from this file")
    @Completion(FileCompleter.class)
    String file;

    @Argument(index = 0, name = "instance", required = true, description = "The instance (guest) the attachment is for")
    @Completion(InstanceCompleter.class)
    String instance;

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    @Override
    protected void run() throws Exception {
        ConnectionInfoInput.requireName(instance, "instance", "volume:disconnect [-f <path>] <instance> [<connection-info>]");
        ConnectionInfo info = ConnectionInfoInput.read(json, file);
        VolumeDriver driver = drivers().driverFor(info);
        Attachment attachment = Attachment.of(info.requireName(), instance);
        DisconnectOutcome outcome = driver.disconnect(info, attachment);
        System.out.println("Disconnected " + attachment + " (driver " + driver.type() + "): " + outcome.name());
    }
}
