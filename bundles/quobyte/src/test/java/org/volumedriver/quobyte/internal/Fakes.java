package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.volumedriver.exec.CommandDefinition;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.exec.CommandRequest;
import org.volumedriver.exec.CommandResult;
import org.volumedriver.exec.CommandStatistics;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.InvalidConnectionInfoException;

/** Test doubles: a recording mounter and executor acting on a synthetic mount table, and a probe. */
final class Fakes {

    static final String UUID1 = "6f2c0a4e-3c1b-4d5e-9f00-123456789abc";
    static final String UUID2 = "0b7e5a1c-1111-4222-8333-444455556666";
    static final String VOLUME1 = "volume-" + UUID1;
    static final String VOLUME2 = "volume-" + UUID2;

    private Fakes() {
    }

    static ConnectionInfo info(String export, String name) {
        return info(export, name, null);
    }

    static ConnectionInfo info(String export, String name, String format) {
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("export", export);
        data.put("name", name);
        if (format != null) {
            data.put("format", format);
        }
        try {
            return ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte", "data", data));
        } catch (InvalidConnectionInfoException e) {
            throw new AssertionError(e);
        }
    }

    /** A mount table the fake executor edits. */
    static final class Table implements MountTable {
        final List<MountEntry> entries = new CopyOnWriteArrayList<>();
        final AtomicInteger reads = new AtomicInteger();
        private final AtomicInteger ids = new AtomicInteger(100);
        // the kernel's unique mount ids, never given twice, by mount entry
        private final Map<MountEntry, Long> uniqueIds = new ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong nextUnique = new java.util.concurrent.atomic.AtomicLong(2_147_483_700L);

        @Override
        public List<MountEntry> read() {
            reads.incrementAndGet();
            return new ArrayList<>(entries);
        }

        /** Each mount gets a device (FUSE connection) of its own, {@code 0:<mount id>}. */
        void mount(String dir, String fsType, String source) {
            int id = ids.incrementAndGet();
            add(new MountEntry(id, 1, "0:" + id, "/", dir, "rw", fsType, source, "rw", false));
        }

        private void add(MountEntry e) {
            uniqueIds.put(e, nextUnique.incrementAndGet());
            entries.add(e);
        }

        /**
         * As the kernel does once a mount is gone: a new Quobyte mount on the directory with the same
         * mount id and device number as the one before, only the unique mount id differs.
         */
        void remountReusingTheNumbers(String dir, String export) {
            MountEntry old = MountTable.visibleAt(entries, dir).orElseThrow();
            unmount(dir);
            add(new MountEntry(old.id(), 1, old.device(), "/", dir, "rw", "fuse.quobyte", "quobyte@" + export, "rw", false));
        }

        /** @return the unique id of the mount visible at a directory */
        java.util.OptionalLong uniqueIdAt(String dir) {
            return MountTable.visibleAt(entries, dir).map(e -> java.util.OptionalLong.of(uniqueIds.get(e)))
                    .orElse(java.util.OptionalLong.empty());
        }

        void mountQuobyte(String dir, String export) {
            mount(dir, "fuse.quobyte", "quobyte@" + export.replace(',', '|'));
        }

        boolean unmount(String dir) {
            for (int i = entries.size() - 1; i >= 0; i--) {
                if (entries.get(i).mountPoint().equals(dir)) {
                    entries.remove(i);
                    return true;
                }
            }
            return false;
        }

        boolean isMounted(String dir) {
            return MountTable.visibleAt(entries, dir).isPresent();
        }

        /** @return the FUSE connection visible at a directory now */
        FuseConnection connectionAt(Path dir) {
            return FuseConnection.of(MountTable.visibleAt(entries, dir.toString()).orElseThrow()).orElseThrow();
        }
    }

    /**
     * One call of the fake mounter.
     *
     * @param command {@code mount.quobyte}, {@code umount} or {@code scope.stop}
     * @param dir the mount directory
     * @param lazy for an unmount, whether it was lazy
     */
    record Call(String command, Path dir, boolean lazy) {
    }

    /** Records every call; mount adds to the table, umount removes unless the dir is busy. */
    static final class Mounter implements org.volumedriver.quobyte.internal.Mounter {
        final List<Call> calls = new CopyOnWriteArrayList<>();
        final Table table;
        final Set<String> busy = ConcurrentHashMap.newKeySet();
        volatile int mountExitStatus;
        volatile boolean mountAnyway;
        volatile boolean mountTimesOut;
        volatile Runnable beforeMount = () -> { };
        volatile Runnable afterMount = () -> { };
        volatile Runnable beforeUmount = () -> { };
        /** Whether mounts run in scopes: then every fresh mount first ends the directory's old scope. */
        volatile boolean scoped;
        /** Thrown by the next umount calls instead of running them (saturated, or could not start). */
        volatile org.volumedriver.spi.VolumeDriverException umountFailure;

        Mounter(Table table) {
            this.table = table;
        }

        @Override
        public Outcome mount(String export, Path dir) {
            calls.add(new Call("mount.quobyte", dir, false));
            beforeMount.run();
            if (mountTimesOut) {
                return new Outcome(137, true);
            }
            if (mountExitStatus == 0 || mountAnyway) {
                table.mountQuobyte(dir.toString(), export);
                afterMount.run();
            }
            return new Outcome(mountExitStatus, false);
        }

        @Override
        public java.util.Optional<Outcome> endClientScope(Path dir) {
            if (!scoped) {
                return java.util.Optional.empty();
            }
            calls.add(new Call("scope.stop", dir, false));
            return java.util.Optional.of(new Outcome(0, false));
        }

        @Override
        public Outcome unmount(Path dir, boolean lazy) throws org.volumedriver.spi.VolumeDriverException {
            calls.add(new Call("umount", dir, lazy));
            beforeUmount.run();
            if (umountFailure != null) {
                throw umountFailure;
            }
            if (!lazy && busy.contains(dir.toString())) {
                return new Outcome(32, false);
            }
            boolean removed = table.unmount(dir.toString());
            if (removed && !table.isMounted(dir.toString())) {
                // the files "inside" the fake mount disappear with it
                try (var files = java.nio.file.Files.list(dir)) {
                    for (Path f : files.toList()) {
                        java.nio.file.Files.deleteIfExists(f);
                    }
                } catch (java.io.IOException e) {
                    // nothing there
                }
            }
            return new Outcome(removed ? 0 : 32, false);
        }

        @Override
        public List<MountEntry> table() {
            return table.read();
        }

        @Override
        public java.util.OptionalLong mountIdAt(Path dir) {
            return table.uniqueIdAt(dir.toString());
        }

        List<Call> named(String command) {
            return calls.stream().filter(c -> c.command().equals(command)).toList();
        }
    }

    /**
     * Records every request; {@code mount.quobyte} and {@code umount} act through a fake
     * {@link Mounter} on the same table, {@code systemctl} answers as told.
     */
    static final class Executor implements CommandExecutor {
        final List<CommandRequest> requests = new CopyOnWriteArrayList<>();
        final Mounter mounter;
        volatile Function<CommandRequest, CommandResult> systemctl = r -> result(r, 0, "running\n");
        /** {@code systemctl-scope}: by default no scope of that name is loaded. */
        volatile Function<CommandRequest, CommandResult> scopeControl = r -> result(r, CommandMounter.UNIT_NOT_LOADED, "");
        /** {@code fusectl-mount} and {@code fuse-abort}: by default they succeed and change nothing. */
        volatile Function<CommandRequest, CommandResult> fuseControl = r -> result(r, 0, "");

        Executor(Table table) {
            this.mounter = new Mounter(table);
        }

        static CommandResult result(CommandRequest r, int status, String stdout) {
            return result(r, status, stdout, false);
        }

        private static CommandResult result(CommandRequest r, int status, String stdout, boolean timedOut) {
            List<String> argv = new ArrayList<>();
            argv.add(r.command());
            argv.addAll(r.arguments());
            return new CommandResult(r.command(), argv, status, stdout, "", false, Duration.ofMillis(1), timedOut);
        }

        @Override
        public CommandResult run(CommandRequest r)
                throws org.volumedriver.spi.ExecutorSaturatedException, org.volumedriver.spi.CommandFailedException {
            requests.add(r);
            if (r.command().equals("systemctl")) {
                return systemctl.apply(r);
            }
            if (r.command().equals(CommandMounter.SCOPE_CONTROL)) {
                return scopeControl.apply(r);
            }
            if (r.command().equals(CommandFuseControl.MOUNT_COMMAND) || r.command().equals(CommandFuseControl.ABORT_COMMAND)) {
                return fuseControl.apply(r);
            }
            List<String> args = r.arguments();
            try {
                org.volumedriver.quobyte.internal.Mounter.Outcome o = switch (r.command()) {
                    case "mount.quobyte" -> mounter.mount(args.get(1), Path.of(args.get(2)));
                    case "umount" -> mounter.unmount(Path.of(args.get(args.size() - 1)), args.contains("-l"));
                    default -> throw new AssertionError("unexpected command " + r.command());
                };
                return result(r, o.exitStatus(), "", o.timedOut());
            } catch (org.volumedriver.spi.ExecutorSaturatedException | org.volumedriver.spi.CommandFailedException e) {
                throw e;
            } catch (org.volumedriver.spi.VolumeDriverException e) {
                throw new AssertionError(e);
            }
        }

        List<CommandRequest> named(String command) {
            return requests.stream().filter(r -> r.command().equals(command)).toList();
        }

        @Override
        public List<CommandDefinition> allowlist() {
            return List.of();
        }

        @Override
        public Map<String, CommandStatistics> statistics() {
            return Map.of();
        }
    }

    /**
     * The FUSE control file system: {@code waiting} as set per connection number (once "mounted"),
     * aborts recorded in the mounter's calls as {@code fuse.abort} with the connection number as dir.
     */
    static final class Fuse implements FuseControl {
        final Mounter mounter;
        final List<FuseConnection> aborts = new CopyOnWriteArrayList<>();
        final Map<Long, Long> waiting = new ConcurrentHashMap<>();
        final AtomicInteger controlMounts = new AtomicInteger();
        volatile boolean mounted;
        volatile Runnable onAbort = () -> { };

        Fuse(Mounter mounter) {
            this.mounter = mounter;
        }

        @Override
        public String ensureMounted() {
            if (mounted) {
                return "";
            }
            mounted = true;
            controlMounts.incrementAndGet();
            return "fusectl mounted on " + CONNECTIONS;
        }

        @Override
        public java.util.OptionalLong waiting(FuseConnection c) {
            Long w = mounted ? waiting.get(c.number()) : null;
            return w == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(w);
        }

        @Override
        public Abort abort(FuseConnection c) {
            aborts.add(c);
            mounter.calls.add(new Call("fuse.abort", Path.of(c.toString()), false));
            onAbort.run();
            return new Abort(org.volumedriver.quobyte.HealStep.Outcome.DONE, "connection " + c + " aborted");
        }
    }

    /**
     * The hypervisor's view, as the libvirt bundle's guest-usage service answers it: the guests set
     * per mount directory; while {@code down}, every question fails as with libvirtd stopped.
     */
    static final class Guests implements org.volumedriver.spi.GuestUsage {
        final Map<Path, List<org.volumedriver.spi.GuestRef>> using = new ConcurrentHashMap<>();
        final List<Path> asked = new CopyOnWriteArrayList<>();
        volatile boolean down;

        /** A guest with a disk below {@code dir}. */
        void use(Path dir, String uuid, String name) {
            using.computeIfAbsent(dir, d -> new CopyOnWriteArrayList<>()).add(new org.volumedriver.spi.GuestRef(uuid, name));
        }

        @Override
        public List<org.volumedriver.spi.GuestRef> guestsUsing(Path mountDirectory) throws org.volumedriver.spi.HypervisorException {
            asked.add(mountDirectory);
            if (down) {
                throw new org.volumedriver.spi.HypervisorException("find guests using a mount", 38,
                        "Failed to connect socket to '/run/libvirt/libvirt-sock': Connection refused", null);
            }
            return List.copyOf(using.getOrDefault(mountDirectory, List.of()));
        }

        @Override
        public Map<Path, List<org.volumedriver.spi.GuestRef>> guestsUsing(java.util.Collection<Path> mountDirectories)
                throws org.volumedriver.spi.HypervisorException {
            Map<Path, List<org.volumedriver.spi.GuestRef>> out = new java.util.LinkedHashMap<>();
            for (Path d : mountDirectories) {
                out.put(d, guestsUsing(d));
            }
            return out;
        }
    }

    /** Healthy unless told otherwise per directory. */
    static final class Probe implements HealthProbe {
        final Map<Path, ProbeResult> results = new ConcurrentHashMap<>();
        final AtomicInteger probes = new AtomicInteger();

        @Override
        public ProbeResult probe(Path mountRoot, Duration timeout) {
            probes.incrementAndGet();
            return results.getOrDefault(mountRoot, ProbeResult.ok());
        }
    }
}
