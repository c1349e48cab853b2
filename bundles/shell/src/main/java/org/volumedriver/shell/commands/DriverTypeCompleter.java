package org.volumedriver.shell.commands;

import java.util.Collection;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.internal.Candidates;
import org.volumedriver.shell.internal.DriverLookup;

/** Completes driver types. */
@Service
public class DriverTypeCompleter extends DriverCandidatesCompleter {

    @Override
    Collection<String> candidates(DriverLookup drivers) {
        return Candidates.driverTypes(drivers);
    }
}
