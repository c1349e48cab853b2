package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.volumedriver.libvirt.DiskXmlService;
import org.volumedriver.shell.internal.ConnectionInfoInput;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.ServiceUnavailableException;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.VolumeDriver;

/** {@code volume:disk-xml}: the libvirt disk element for connection info, without connecting. */
@Service
@Command(scope = "volume", name = "disk-xml", description = "Prints the libvirt <disk> element for connection info, without connecting the volume")
public class DiskXmlCommand extends DriverAction {

    @Reference(optional = true)
    DiskXmlService diskXml;

    @Option(name = "-f", aliases = "--file", description = "Read the connection info (JSON) from this file")
    @Completion(FileCompleter.class)
    String file;

    @Option(name = "--dev", description = "Guest target device")
    String dev = "vdb";

    @Option(name = "--bus", description = "Guest target bus")
    @Completion(value = StringsCompleter.class, values = { "virtio", "scsi", "sata", "ide", "usb" })
    String bus = "virtio";

    @Argument(index = 0, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    @Override
    protected void run() throws Exception {
        ConnectionInfo info = ConnectionInfoInput.read(json, file);
        DiskXmlService xml = ServiceUnavailableException.require(diskXml, "libvirt disk XML");
        VolumeDriver driver = drivers().driverFor(info);
        DiskSpec disk = driver.describeDisk(info).toBuilder().target(dev, bus).build();
        System.out.println(xml.diskXml(driver.type(), disk));
    }
}
