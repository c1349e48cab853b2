package org.volumedriver.quobyte.shell.commands;

import java.util.Collection;
import java.util.Optional;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.shell.support.Candidates;
import org.volumedriver.shell.support.DriverCompleter;
import org.volumedriver.shell.support.DriverLookup;

/** Completes the Quobyte driver's exports as quobyte:mounts lists them (redacted). */
@Service
public class QuobyteExportCompleter extends DriverCompleter {

    @Override
    protected Collection<String> candidates(DriverLookup drivers) {
        return Candidates.exports(drivers, Optional.of(QuobyteAdmin.DRIVER_TYPE));
    }
}
