package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.VolumeAttacher;
import org.volumedriver.shell.internal.VolumeViews;
import org.volumedriver.shell.support.ServiceUnavailableException;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;

/** {@code volume:attach}: connects a volume and attaches its disk to a libvirt domain. */
@Service
@Command(scope = "volume", name = "attach", description = "Connects a volume and attaches it to a libvirt domain (default --live)")
public class AttachCommand extends DomainVolumeAction {

    @Reference(optional = true)
    VolumeAttacher attacher;

    @Option(name = "--live", description = "Attach to the running domain (the default when --config is not given)")
    boolean live;

    @Option(name = "--config", description = "Attach to the persistent definition (with --live: both)")
    boolean config;

    @Option(name = "--instance", description = "The instance the attachment is counted for (default: the domain name)")
    @Completion(InstanceCompleter.class)
    String instance;

    @Option(name = "--dev", description = "Guest target device")
    String dev = "vdb";

    @Option(name = "--bus", description = "Guest target bus")
    @Completion(value = StringsCompleter.class, values = { "virtio", "scsi", "sata", "ide", "usb" })
    String bus = "virtio";

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    @Override
    protected void run() throws Exception {
        requireDomain("volume:attach [--live] [--config] [options] <domain> [<connection-info>]");
        ConnectionInfo info = connectionInfo(json);
        VolumeAttacher service = ServiceUnavailableException.require(attacher, "libvirt volume attacher");
        Attachment attachment = Attachment.of(info.requireName(), instance == null ? domain : instance);
        AttachResult result = service.attach(domain, info, attachment, dev, bus, AttachModes.of(live, config));
        report(System.out, "Attached " + attachment + " to domain " + result.domain(), VolumeViews.attached(result));
    }
}
