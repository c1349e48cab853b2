package org.volumedriver.shell.commands;

import java.util.Collection;
import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.shell.internal.DriverLookup;
import org.volumedriver.spi.VolumeDriver;

/** Completes values the registered drivers report; subclasses pick which value. */
abstract class DriverCandidatesCompleter implements Completer {

    @Reference(optional = true)
    VolumeDrivers registry;

    @Reference
    List<VolumeDriver> driverServices;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(candidates(DriverLookup.of(registry, driverServices)))
                .complete(session, commandLine, candidates);
    }

    abstract Collection<String> candidates(DriverLookup drivers);
}
