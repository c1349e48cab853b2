package org.volumedriver.shell.commands;

import java.util.Collection;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.internal.Candidates;
import org.volumedriver.shell.internal.DriverLookup;

/** Completes instances with an attachment. */
@Service
public class InstanceCompleter extends DriverCandidatesCompleter {

    @Override
    Collection<String> candidates(DriverLookup drivers) {
        return Candidates.instances(drivers);
    }
}
