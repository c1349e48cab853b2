package org.volumedriver.quobyte.shell.commands;

import java.util.Collection;
import java.util.Optional;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.shell.support.Candidates;
import org.volumedriver.shell.support.DriverCompleter;
import org.volumedriver.shell.support.DriverLookup;

/** Completes the Quobyte driver's mount directories. */
@Service
public class QuobyteMountDirectoryCompleter extends DriverCompleter {

    @Override
    protected Collection<String> candidates(DriverLookup drivers) {
        return Candidates.mountDirectories(drivers, Optional.of(QuobyteAdmin.DRIVER_TYPE));
    }
}
