package org.volumedriver.shell.commands;

import java.util.Collection;
import java.util.Optional;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.internal.Candidates;
import org.volumedriver.shell.internal.DriverLookup;

/** Completes mount directories. */
@Service
public class MountDirectoryCompleter extends DriverCandidatesCompleter {

    @Override
    Collection<String> candidates(DriverLookup drivers) {
        return Candidates.mountDirectories(drivers, Optional.empty());
    }
}
