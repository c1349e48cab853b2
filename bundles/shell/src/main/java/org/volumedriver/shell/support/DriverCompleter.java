package org.volumedriver.shell.support;

import java.util.Collection;
import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.volumedriver.spi.VolumeDrivers;

/**
 * Base of the completers that offer what the registered drivers report now; subclasses pick the
 * values (usually from {@link Candidates}). Without a {@link VolumeDrivers} service nothing is
 * offered: completion has no way to show an error.
 */
public abstract class DriverCompleter implements Completer {

    @Reference(optional = true)
    private VolumeDrivers registry;

    @Override
    public final int complete(Session session, CommandLine commandLine, List<String> candidates) {
        Collection<String> values = registry == null ? List.of() : candidates(DriverLookup.of(registry));
        return new StringsCompleter(values).complete(session, commandLine, candidates);
    }

    /**
     * @param drivers the drivers registered now
     * @return the values to offer
     */
    protected abstract Collection<String> candidates(DriverLookup drivers);
}
