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

/** Completes exports as volume:mounts lists them (redacted). */
@Service
public class ExportCompleter implements Completer {

    @Reference(optional = true)
    VolumeDrivers registry;

    @Reference
    List<VolumeDriver> driverServices;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(Candidates.exports(drivers())).complete(session, commandLine, candidates);
    }

    private DriverLookup drivers() {
        return DriverLookup.of(registry, driverServices);
    }
}
