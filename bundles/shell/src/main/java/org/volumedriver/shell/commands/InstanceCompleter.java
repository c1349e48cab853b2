package org.volumedriver.shell.commands;

import java.util.Collection;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.support.Candidates;
import org.volumedriver.shell.support.DriverCompleter;
import org.volumedriver.shell.support.DriverLookup;

/** Completes instances with an attachment. */
@Service
public class InstanceCompleter extends DriverCompleter {

    @Override
    protected Collection<String> candidates(DriverLookup drivers) {
        return Candidates.instances(drivers);
    }
}
