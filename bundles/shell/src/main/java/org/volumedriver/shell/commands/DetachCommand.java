package org.volumedriver.shell.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.VolumeAttacher;
import org.volumedriver.shell.internal.VolumeViews;
import org.volumedriver.shell.support.ServiceUnavailableException;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;

/** {@code volume:detach}: detaches a volume's disk from a libvirt domain and disconnects it. */
@Service
@Command(scope = "volume", name = "detach", description = "Detaches a volume from a libvirt domain and disconnects it once the guest released it (default --live)")
public class DetachCommand extends DomainVolumeAction {

    @Reference(optional = true)
    VolumeAttacher attacher;

    @Option(name = "--live", description = "Detach from the running domain (the default when --config is not given)")
    boolean live;

    @Option(name = "--config", description = "Detach from the persistent definition (with --live: both)")
    boolean config;

    @Option(name = "--instance", description = "The instance the attachment is counted for (default: the domain name)")
    @Completion(InstanceCompleter.class)
    String instance;

    @Argument(index = 1, name = "connection-info", description = "The connection info as JSON, in single quotes")
    String json;

    @Override
    protected void run() throws Exception {
        requireDomain("volume:detach [--live] [--config] [options] <domain> [<connection-info>]");
        ConnectionInfo info = connectionInfo(json);
        VolumeAttacher service = ServiceUnavailableException.require(attacher, "libvirt volume attacher");
        Attachment attachment = Attachment.of(info.requireName(), instance == null ? domain : instance);
        DetachResult result = service.detach(domain, info, attachment, AttachModes.of(live, config));
        report(System.out, "Detach " + attachment + " from domain " + result.domain() + ": " + result.outcome().name(),
                VolumeViews.detached(result));
    }
}
