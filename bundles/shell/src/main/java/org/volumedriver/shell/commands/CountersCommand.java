package org.volumedriver.shell.commands;

import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.internal.VolumeViews;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.DriverLookup;

/** {@code volume:counters}: the drivers' counters. */
@Service
@Command(scope = "volume", name = "counters", description = "Shows the drivers' counters (mounts, unmounts, heals, failures by reason, ...)")
public class CountersCommand extends DriverAction {

    @Option(name = "-d", aliases = "--driver", description = "Only this driver type")
    @Completion(DriverTypeCompleter.class)
    String driver;

    @Option(name = "--no-format", description = "Plain tab-separated rows without header")
    boolean noFormat;

    @Override
    protected void run() throws Exception {
        DriverLookup lookup = drivers();
        VolumeViews.counters(driver == null ? lookup.drivers() : Map.of(driver, lookup.driver(driver)), System.out, !noFormat);
    }
}
