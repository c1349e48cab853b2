package org.volumedriver.shell.commands;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.volumedriver.libvirt.VolumeDrivers;
import org.volumedriver.shell.internal.Candidates;
import org.volumedriver.shell.internal.DriverLookup;
import org.volumedriver.spi.VolumeDriver;

/** Completes instances with an attachment. */
@Service
public class InstanceCompleter implements Completer {

    @Reference(optional = true)
    VolumeDrivers registry;

    @Reference
    List<VolumeDriver> driverServices;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(Candidates.instances(drivers())).complete(session, commandLine, candidates);
    }

    private DriverLookup drivers() {
        return DriverLookup.of(registry, driverServices);
    }
}
