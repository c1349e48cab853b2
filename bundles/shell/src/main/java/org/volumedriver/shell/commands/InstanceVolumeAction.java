package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.volumedriver.shell.internal.ConnectionInfoInput;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.VolumeDriver;

/**
 * Base of the commands on one instance's attachment of a volume: the instance comes first, the
 * connection info follows as JSON or comes from {@code -f}; the driver is the one for its type.
 * Not a command itself (no {@code @Service}); Karaf fills the inherited fields.
 */
abstract class InstanceVolumeAction extends DriverAction {

    @Option(name = "-f", aliases = "--file", description = "Read the connection info (JSON) from this file")
    @Completion(FileCompleter.class)
    String file;

    @Argument(index = 0, name = "instance", required = true, description = "The instance (guest) the attachment is for")
    @Completion(InstanceCompleter.class)
    String instance;

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    /** @return the command's name, for its usage line */
    abstract String name();

    /** Does the command's work on the attachment, once the input is known to be valid. */
    abstract void act(VolumeDriver driver, ConnectionInfo info, Attachment attachment) throws Exception;

    @Override
    protected final void run() throws Exception {
        ConnectionInfoInput.requireName(instance, "instance", "volume:" + name() + " [-f <path>] <instance> [<connection-info>]");
        ConnectionInfo info = ConnectionInfoInput.read(json, file);
        VolumeDriver driver = drivers().driverFor(info);
        act(driver, info, Attachment.of(info.requireName(), instance));
    }
}
