package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.TransientScope;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The {@link Mounter} of production: {@code mount.quobyte} and {@code umount} through the executor's
 * allowlist (C1), inside a transient systemd scope when systemd runs, and the kernel's mount table.
 */
final class CommandMounter implements Mounter {

    static final String SCOPE_DESCRIPTION = "volumedriver Quobyte client mount";
    /** The allowlisted {@code systemctl} that may only stop and reset this driver's scope units. */
    static final String SCOPE_CONTROL = "systemctl-scope";
    /** {@code systemctl stop} of a unit that is not loaded: there was nothing to end. */
    static final int UNIT_NOT_LOADED = 5;

    private final Settings settings;
    private final CommandExecutor executor;
    private final MountTable table;
    private final SystemdDecision systemd;
    private final Consumer<Path> onUnmounted;

    /**
     * @param settings the commands, timeouts, client configuration and slice
     * @param executor runs every command
     * @param table the mount table
     * @param systemd whether mounts run in a scope
     * @param onUnmounted told of each directory whose unmount command succeeded
     */
    CommandMounter(Settings settings, CommandExecutor executor, MountTable table, SystemdDecision systemd,
            Consumer<Path> onUnmounted) {
        this.settings = settings;
        this.executor = executor;
        this.table = table;
        this.systemd = systemd;
        this.onUnmounted = onUnmounted;
    }

    @Override
    public Outcome mount(String export, Path dir) throws VolumeDriverException {
        return outcome(executor.run(mountRequest(export, dir)));
    }

    CommandRequest mountRequest(String export, Path dir) {
        List<String> args = new ArrayList<>(List.of("--disable-xattrs", export, dir.toString()));
        settings.clientConfig.ifPresent(c -> {
            args.add("-c");
            args.add(c.toString());
        });
        CommandRequest request = new CommandRequest(settings.mountCommand, args, settings.mountTimeout, null, null);
        if (systemd.useScope()) {
            request = request.inScope(new TransientScope(scopeUnit(dir), settings.slice, SCOPE_DESCRIPTION));
        }
        return request;
    }

    /**
     * @param dir a mount directory
     * @return the deterministic scope unit name for it
     */
    static String scopeUnit(Path dir) {
        return "volumedriver-quobyte-" + dir.getFileName() + ".scope";
    }

    @Override
    public Optional<Outcome> endClientScope(Path dir) throws VolumeDriverException {
        if (!systemd.useScope()) {
            return Optional.empty();
        }
        String unit = scopeUnit(dir);
        Outcome stopped = outcome(executor.run(CommandRequest.of(SCOPE_CONTROL, settings.umountTimeout, "stop", unit)));
        if (stopped.exitStatus() != UNIT_NOT_LOADED) {
            // a stop that ended in "failed" keeps the name taken until the failure is reset
            executor.run(CommandRequest.of(SCOPE_CONTROL, settings.umountTimeout, "reset-failed", unit));
        }
        return Optional.of(stopped);
    }

    @Override
    public Outcome unmount(Path dir, boolean lazy) throws VolumeDriverException {
        // the mount directory is already a verified path: umount must not canonicalize it through a hung client
        CommandRequest request = lazy
                ? CommandRequest.of(settings.umountCommand, settings.umountTimeout, "--no-canonicalize", "-l", dir.toString())
                : CommandRequest.of(settings.umountCommand, settings.umountTimeout, "--no-canonicalize", dir.toString());
        Outcome outcome = outcome(executor.run(request));
        if (outcome.succeeded()) {
            onUnmounted.accept(dir);
        }
        return outcome;
    }

    @Override
    public OptionalLong mountIdAt(Path dir) {
        return StatxProbe.uniqueMountId(dir);
    }

    @Override
    public List<MountEntry> table() throws VolumeDriverException {
        try {
            return table.read();
        } catch (IOException e) {
            throw new VolumeDriverException("MOUNT_TABLE_UNREADABLE", "the mount table cannot be read (" + e.getClass().getSimpleName() + ")", e);
        } catch (MountInfoParser.MalformedMountTableException e) {
            throw new VolumeDriverException("MOUNT_TABLE_UNREADABLE", "the mount table is malformed: " + e.getMessage(), e);
        }
    }

    private static Outcome outcome(CommandResult r) {
        return new Outcome(r.exitStatus(), r.timedOut());
    }
}
