package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.quobyte.HealStep;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The {@link FuseControl} of production. Mounting fusectl and writing {@code abort} are privileged,
 * so both go through the executor's allowlist like every other privileged step (G2, G4): with a root
 * helper configured Karaf does not run as root and could not write the file itself, and the
 * allowlist confines the write to {@code /sys/fs/fuse/connections/<number>/abort}. Reading
 * {@code waiting} is a plain read, done directly (root only; otherwise the count is unknown).
 */
final class CommandFuseControl implements FuseControl {

    /** The allowlisted {@code mount -t fusectl none /sys/fs/fuse/connections}. */
    static final String MOUNT_COMMAND = "fusectl-mount";
    /** The allowlisted {@code tee /sys/fs/fuse/connections/<number>/abort}, fed {@code 1} on stdin. */
    static final String ABORT_COMMAND = "fuse-abort";

    private final CommandExecutor executor;
    private final MountTable table;
    private final Duration timeout;
    private final Path root;

    /**
     * @param executor runs the two privileged commands
     * @param table the mount table, to see whether fusectl is mounted
     * @param timeout for each command
     */
    CommandFuseControl(CommandExecutor executor, MountTable table, Duration timeout) {
        this(executor, table, timeout, Path.of(CONNECTIONS));
    }

    /** For tests: the control file system's files are read and named under {@code root}. */
    CommandFuseControl(CommandExecutor executor, MountTable table, Duration timeout, Path root) {
        this.executor = executor;
        this.table = table;
        this.timeout = timeout;
        this.root = root;
    }

    @Override
    public String ensureMounted() throws VolumeDriverException {
        if (isMounted()) {
            return "";
        }
        CommandResult r = executor.run(CommandRequest.of(MOUNT_COMMAND, timeout, "-t", "fusectl", "none", root.toString()));
        if (isMounted()) {
            return "fusectl mounted on " + root;
        }
        throw new VolumeDriverException("FUSE_CONTROL_UNAVAILABLE", "fusectl is not mounted on " + root
                + " and mounting it failed (exit status " + r.exitStatus() + (r.timedOut() ? ", timed out" : "") + ")");
    }

    private boolean isMounted() throws VolumeDriverException {
        try {
            return MountTable.visibleAt(table.read(), root.toString()).map(e -> "fusectl".equals(e.fsType())).orElse(false);
        } catch (IOException | MountInfoParser.MalformedMountTableException e) {
            throw new VolumeDriverException("MOUNT_TABLE_UNREADABLE", "the mount table cannot be read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    @Override
    public OptionalLong waiting(FuseConnection connection) {
        try {
            String text = Files.readString(root.resolve(connection.toString()).resolve("waiting"), StandardCharsets.US_ASCII).strip();
            return text.matches("[0-9]{1,18}") ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty(); // not mounted, gone, or not root
        }
    }

    @Override
    public Abort abort(FuseConnection connection) throws VolumeDriverException {
        Path dir = root.resolve(connection.toString());
        if (!Files.isDirectory(dir)) {
            return new Abort(HealStep.Outcome.NOT_NEEDED, "connection " + connection + " is gone already");
        }
        // tee writes its stdin to the one file its argument names; the kernel aborts on any write
        CommandResult r = executor.run(new CommandRequest(ABORT_COMMAND, List.of(dir.resolve("abort").toString()), timeout,
                "1\n".getBytes(StandardCharsets.US_ASCII), null));
        if (r.timedOut()) {
            return new Abort(HealStep.Outcome.FAILED, "writing the abort of connection " + connection + " timed out");
        }
        if (r.exitStatus() != 0) {
            return new Abort(HealStep.Outcome.FAILED, "writing the abort of connection " + connection + " failed (exit status "
                    + r.exitStatus() + ")");
        }
        return new Abort(HealStep.Outcome.DONE, "connection " + connection + " aborted");
    }
}
