package org.volumedriver.shell.commands;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.volumedriver.shell.internal.VolumeViews;
import org.volumedriver.shell.support.Candidates;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.spi.GuestRef;
import org.volumedriver.spi.GuestUsage;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.MountStatus;

/**
 * {@code volume:mounts}: the mounts of every driver, and which libvirt guests use them when libvirt
 * can be asked.
 */
@Service
@Command(scope = "volume", name = "mounts", description = "Lists the mounts the drivers manage: export (redacted), directory, state, "
        + "attachments, since, and the libvirt guests using each when libvirt is reachable")
public class MountsCommand extends DriverAction {

    @Reference(optional = true)
    GuestUsage guestUsage;

    @Option(name = "-d", aliases = "--driver", description = "Only this driver type")
    @Completion(DriverTypeCompleter.class)
    String driver;

    @Option(name = "-e", aliases = "--export", description = "Only this export, as listed")
    @Completion(ExportCompleter.class)
    String export;

    @Option(name = "--no-format", description = "Plain tab-separated rows without header")
    boolean noFormat;

    @Override
    protected void run() throws Exception {
        List<MountStatus> mounts = Candidates.filter(drivers().mounts(Optional.ofNullable(driver)), export, null);
        VolumeViews.mounts(mounts, guests(mounts), System.out, !noFormat);
    }

    /** @return guest names by mount directory, or {@code null} (no column) when libvirt cannot be asked */
    private Map<String, List<String>> guests(List<MountStatus> mounts) {
        if (guestUsage == null) {
            return null;
        }
        try {
            Map<Path, List<GuestRef>> byDirectory = guestUsage.guestsUsing(mounts.stream().map(m -> Path.of(m.mountDirectory())).toList());
            Map<String, List<String>> names = new LinkedHashMap<>();
            byDirectory.forEach((dir, guests) -> names.put(dir.toString(), guests.stream().map(GuestRef::name).toList()));
            return names;
        } catch (HypervisorException | IllegalArgumentException e) {
            return null;
        }
    }
}
