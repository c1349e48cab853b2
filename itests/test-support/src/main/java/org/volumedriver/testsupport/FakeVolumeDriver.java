package org.volumedriver.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.UnsupportedFormatException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeLocation;

/**
 * An in-memory volume driver for the logic above the drivers (attach flow, shell, registries):
 * one mount per export, counted attachments, every call recorded, nothing touched on the host.
 *
 * <p>It accepts the formats {@code raw} and {@code qcow2} and a volume name without {@code /}, and
 * needs an export. Its disk is a file either under {@code /base/<hash of the export>} in the
 * connection's format, uncached with native I/O, or in one fixed directory in one fixed format
 * with the hypervisor's defaults (a directory QEMU can really open).
 *
 * <p>Reconciliation: the fake keeps a mount table (a connect mounts its directory with the fake's
 * file system type {@value #FSTYPE}; tests add others with {@link #mounted}) and answers
 * {@link #ownerOf} with the checks the SPI asks of a driver: below its base by components, exactly
 * {@code <base>/<dir>/<volume>}, a mount of its own type, and, where the base exists on disk
 * ({@link #onBase}), no symlink from the base down. {@link #adopt} and {@link #release} change its
 * records as a real driver's would; {@link #withoutReconciliation()} gives a driver written against
 * the 1.1 SPI (adopt and release not supported).
 *
 * <p>Attached volumes (SPI 1.3): {@link #inspectImage} reads the named file's header where the
 * volumes really are (a fixed directory, or a base on disk): qcow2 by its magic, else raw, with the
 * backing file's name and declared format; {@link #follow} moves a recorded attachment to another
 * file of the mount directory.
 */
public class FakeVolumeDriver implements VolumeDriver {

    /** When every mount of the fake was made. */
    public static final Instant SINCE = Instant.parse("2026-01-02T03:04:05.678Z");

    /** The formats {@link #validate} accepts. */
    public static final List<String> FORMATS = List.of("raw", "qcow2");

    /** The file system type of the fake's own mounts. */
    public static final String FSTYPE = "fuse.fake";

    /** The mount base of a driver built without one. */
    public static final Path DEFAULT_BASE = Path.of("/base");

    private static final String CONNECT = "connect ";
    private static final String DISCONNECT = "disconnect ";
    private static final String ADOPT = "adopt ";
    private static final String RELEASE = "release ";
    private static final String INSPECT = "inspectImage ";
    private static final String FOLLOW = "follow ";
    private static final String VOLUME_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,254}";

    private final String type;
    private final Path base;
    private final Path volumes;
    private final String format;
    private final Map<String, Set<Attachment>> byExport = new TreeMap<>();
    private final Map<String, MountState> states = new TreeMap<>();
    /** The directory of each export with attachments: computed, or the one an adoption found. */
    private final Map<String, Path> directories = new TreeMap<>();
    /** Mount directory to file system type: what the host's mount table would say. */
    private final Map<Path, String> mountTable = new ConcurrentHashMap<>();
    private volatile boolean reconcilable = true;
    private volatile CountDownLatch connectGate = new CountDownLatch(0);

    /**
     * Every call, in order: {@code validate} (also for the validation that connect, disconnect and
     * describeDisk do first), {@code connect <attachment>}, {@code disconnect <attachment>},
     * {@code heal <directory> <force>}, {@code ownerOf <path>}, {@code adopt <attachment> <dir>},
     * {@code release <attachment> <dir>}, {@code inspectImage <file>},
     * {@code follow <attachment> <new volume> <dir>}.
     */
    public final List<String> calls = new CopyOnWriteArrayList<>();

    /** What {@link #counters()} answers; tests put values in. */
    public final Map<String, Long> counters = new LinkedHashMap<>();

    /**
     * A driver whose disks are {@code /base/<hash of the export>/<name>} in the connection's format.
     *
     * @param type the driver type
     */
    public FakeVolumeDriver(String type) {
        this(type, null, null);
    }

    /**
     * A driver whose disks are files in one directory, whatever the export.
     *
     * @param type the driver type
     * @param volumes the directory of every volume file
     * @param format the format of every disk, accepted by the attach flow or not
     */
    public FakeVolumeDriver(String type, Path volumes, String format) {
        this(type, volumes == null ? DEFAULT_BASE : volumes.toAbsolutePath().getParent(), volumes, format);
    }

    private FakeVolumeDriver(String type, Path base, Path volumes, String format) {
        this.type = type;
        this.base = base;
        this.volumes = volumes;
        this.format = format;
    }

    /**
     * A driver whose disks are {@code <base>/<hash of the export>/<name>}: with a real directory as
     * base, {@link #ownerOf} also looks for symlinks there, as a real driver must.
     *
     * @param type the driver type
     * @param base the mount base, absolute
     * @return the driver
     */
    public static FakeVolumeDriver onBase(String type, Path base) {
        return new FakeVolumeDriver(type, base.toAbsolutePath().normalize(), null, null);
    }

    /**
     * Makes {@link #adopt} and {@link #release} answer as the SPI's defaults do, as a driver
     * written against the 1.1 SPI would.
     *
     * @return this driver
     */
    public FakeVolumeDriver withoutReconciliation() {
        reconcilable = false;
        return this;
    }

    /**
     * @param export an export
     * @return the mount directory of a driver built without a volume directory
     */
    public static String directory(String export) {
        return directory(DEFAULT_BASE, export);
    }

    /**
     * @param base a mount base
     * @param export an export
     * @return the mount directory of the export below that base
     */
    public static String directory(Path base, String export) {
        return base.resolve(Integer.toHexString(export.hashCode())).toString();
    }

    /** @return the mount base */
    public Path base() {
        return base;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public void validate(ConnectionInfo info) throws VolumeDriverException {
        calls.add("validate");
        if (!FORMATS.contains(info.format())) {
            throw new UnsupportedFormatException("data.format", info.format(), FORMATS);
        }
        if (info.requireName().contains("/")) {
            throw new InvalidConnectionInfoException("data.name", "must not contain '/'");
        }
        info.requireExport();
    }

    @Override
    public DiskSpec connect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        validate(info);
        calls.add(CONNECT + attachment);
        attach(info.requireExport(), attachment);
        try {
            connectGate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return describeDisk(info);
    }

    @Override
    public DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        validate(info);
        calls.add(DISCONNECT + attachment);
        String export = info.requireExport();
        synchronized (this) {
            Set<Attachment> attachments = byExport.get(export);
            if (attachments == null || !attachments.remove(attachment)) {
                return DisconnectOutcome.NOT_ATTACHED;
            }
            return lastOneUnmounts(export, attachments);
        }
    }

    /** After a removal: unmounts when the export has no attachment left. */
    private DisconnectOutcome lastOneUnmounts(String export, Set<Attachment> attachments) {
        if (!attachments.isEmpty()) {
            return DisconnectOutcome.STILL_IN_USE;
        }
        byExport.remove(export);
        states.remove(export);
        Path dir = directories.remove(export);
        if (!directories.containsValue(dir)) {
            mountTable.remove(dir);
        }
        return DisconnectOutcome.UNMOUNTED;
    }

    @Override
    public DiskSpec describeDisk(ConnectionInfo info) throws VolumeDriverException {
        validate(info);
        String name = info.requireName();
        if (volumes != null) {
            return DiskSpec.builder().sourceType("file").sourcePath(volumes.resolve(name).toString()).format(format).build();
        }
        return DiskSpec.builder().sourceType("file").sourcePath(directory(base, info.requireExport()) + "/" + name)
                .format(info.format()).cache("none").io("native").build();
    }

    @Override
    public synchronized List<MountStatus> mounts() {
        List<MountStatus> mounts = new ArrayList<>();
        for (Map.Entry<String, Set<Attachment>> entry : byExport.entrySet()) {
            MountState state = states.get(entry.getKey());
            mounts.add(new MountStatus(type, entry.getKey(), directories.get(entry.getKey()).toString(), state, entry.getValue(), SINCE,
                    state == MountState.STALE ? "stat failed: ENOTCONN" : null));
        }
        return mounts;
    }

    @Override
    public synchronized MountStatus heal(String mountDirectory, boolean force) throws VolumeDriverException {
        calls.add("heal " + mountDirectory + " " + force);
        for (MountStatus mount : mounts()) {
            if (mount.mountDirectory().equals(mountDirectory)) {
                if (mount.state() == MountState.STALE && !mount.attachments().isEmpty() && !force) {
                    throw new StaleMountInUseException(mountDirectory, mount.attachments().size());
                }
                states.put(mount.export(), MountState.HEALTHY);
                return new MountStatus(type, mount.export(), mountDirectory, MountState.HEALTHY, mount.attachments(), SINCE, null);
            }
        }
        throw new InvalidConnectionInfoException("mount-directory", "is not a managed mount");
    }

    @Override
    public Map<String, Long> counters() {
        return counters;
    }

    /** @return the recorded connects and disconnects alone, in order: what changed the volumes */
    public List<String> connectsAndDisconnects() {
        return calls.stream().filter(c -> c.startsWith(CONNECT) || c.startsWith(DISCONNECT)).toList();
    }

    /**
     * Marks an export's mount state, for listings and heal.
     *
     * @param export the export
     * @param state its new state
     */
    public synchronized void state(String export, MountState state) {
        states.put(export, state);
    }

    /**
     * Counts an attachment as connected before the test began (an earlier run, another client):
     * no call is recorded.
     *
     * @param info the volume's connection info
     * @param attachment the attachment
     * @throws InvalidConnectionInfoException if the connection info has no export
     */
    public void connectedEarlier(ConnectionInfo info, Attachment attachment) throws InvalidConnectionInfoException {
        attach(info.requireExport(), attachment);
    }

    /**
     * Makes every later connect wait, after it is recorded and counted, until the returned latch
     * is counted down.
     *
     * @return the latch that releases the connects
     */
    public CountDownLatch holdConnects() {
        CountDownLatch gate = new CountDownLatch(1);
        connectGate = gate;
        return gate;
    }

    private synchronized void attach(String export, Attachment attachment) {
        attach(export, mountDirectory(export), attachment);
    }

    private boolean attach(String export, Path dir, Attachment attachment) {
        directories.putIfAbsent(export, dir);
        mountTable.putIfAbsent(dir, FSTYPE);
        states.putIfAbsent(export, MountState.HEALTHY);
        return byExport.computeIfAbsent(export, e -> new TreeSet<>()).add(attachment);
    }

    private Path mountDirectory(String export) {
        return volumes != null ? volumes.toAbsolutePath() : Path.of(directory(base, export));
    }

    /**
     * Puts a mount into the fake's mount table, as if found on the host: one of the fake's own
     * ({@link #FSTYPE}) that it has no record of, or another file system.
     *
     * @param dir the mount directory
     * @param fstype its file system type
     */
    public void mounted(Path dir, String fstype) {
        mountTable.put(dir.toAbsolutePath().normalize(), fstype);
    }

    @Override
    public Optional<VolumeLocation> ownerOf(Path source) throws VolumeDriverException {
        calls.add("ownerOf " + source);
        return locate(source);
    }

    /** The checks {@link VolumeDriver#ownerOf} documents, done here for the fake's base. */
    private Optional<VolumeLocation> locate(Path source) throws VolumeDriverException {
        if (!source.isAbsolute() || !source.startsWith(base) || source.equals(base)) {
            return Optional.empty();
        }
        Path relative = base.relativize(source);
        if (relative.getNameCount() != 2) {
            throw new UnsafePathException(source.toString(), "not <base>/<mount directory>/<volume>");
        }
        Path dir = base.resolve(relative.getName(0));
        String volume = relative.getName(1).toString();
        if (!volume.matches(VOLUME_NAME) || volume.contains("..")) {
            throw new UnsafePathException(source.toString(), "not a volume name");
        }
        String fstype = mountTable.get(dir);
        if (fstype == null) {
            throw new MountUnhealthyException(dir.toString(), "not mounted");
        }
        if (!FSTYPE.equals(fstype)) {
            throw new UnsafePathException(dir.toString(), "a " + fstype + " mount, not " + FSTYPE);
        }
        if (Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
            refuseSymlinks(dir, source);
        }
        return Optional.of(new VolumeLocation(dir.toString(), volume));
    }

    private void refuseSymlinks(Path dir, Path source) throws UnsafePathException {
        try {
            if (Files.isSymbolicLink(dir) || !dir.toRealPath().equals(base.toRealPath().resolve(dir.getFileName()))) {
                throw new UnsafePathException(dir.toString(), "a symlink leads elsewhere");
            }
        } catch (IOException e) {
            throw new UnsafePathException(dir.toString(), "cannot be resolved: " + e.getClass().getSimpleName());
        }
        if (Files.isSymbolicLink(source)) {
            throw new UnsafePathException(source.toString(), "the volume file is a symlink");
        }
    }

    @Override
    public boolean adopt(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        if (!reconcilable) {
            return VolumeDriver.super.adopt(where, attachment);
        }
        calls.add(ADOPT + attachment + " " + where.mountDirectory());
        if (!locate(where.path()).equals(Optional.of(where))) {
            throw new UnsafePathException(where.path().toString(), "not a volume file of driver " + type);
        }
        if (!attachment.volume().equals(where.volume())) {
            throw new InvalidConnectionInfoException("data.name", "is not the volume at the location");
        }
        synchronized (this) {
            String export = exportAt(where.directory()).orElse("adopted:" + where.directory().getFileName());
            if (states.get(export) == MountState.STALE) {
                throw new MountUnhealthyException(where.mountDirectory(), "stat failed: ENOTCONN");
            }
            return attach(export, where.directory(), attachment);
        }
    }

    @Override
    public DisconnectOutcome release(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        if (!reconcilable) {
            return VolumeDriver.super.release(where, attachment);
        }
        calls.add(RELEASE + attachment + " " + where.mountDirectory());
        synchronized (this) {
            for (Map.Entry<String, Set<Attachment>> entry : byExport.entrySet()) {
                if (where.directory().equals(directories.get(entry.getKey())) && entry.getValue().remove(attachment)) {
                    return lastOneUnmounts(entry.getKey(), entry.getValue());
                }
            }
            return DisconnectOutcome.NOT_ATTACHED;
        }
    }

    private Optional<String> exportAt(Path dir) {
        return directories.entrySet().stream().filter(e -> e.getValue().equals(dir)).map(Map.Entry::getKey).findFirst();
    }

    /** @return the adopts and releases alone, in order: what a reconciliation changed */
    public List<String> adoptsAndReleases() {
        return calls.stream().filter(c -> c.startsWith(ADOPT) || c.startsWith(RELEASE)).toList();
    }

    /**
     * Reads the file's header ({@link FakeImageHeader}) in the mount directory of the export,
     * which must be mounted (a connect, or an adoption) and not stale.
     */
    @Override
    public VolumeImage inspectImage(ConnectionInfo info, String file) throws VolumeDriverException {
        if (!reconcilable) {
            return VolumeDriver.super.inspectImage(info, file);
        }
        validate(info);
        calls.add(INSPECT + file);
        requireVolumeName(file, "file");
        String export = info.requireExport();
        Path dir;
        synchronized (this) {
            dir = directories.get(export);
            if (dir == null) {
                throw new MountUnhealthyException(mountDirectory(export).toString(), "the export is not mounted by this driver");
            }
            if (states.get(export) == MountState.STALE) {
                throw new MountUnhealthyException(dir.toString(), "stat failed: ENOTCONN");
            }
        }
        return FakeImageHeader.read(new VolumeLocation(dir.toString(), file), "file");
    }

    /** Moves the attachment in the records of the export mounted at {@code from}'s directory. */
    @Override
    public boolean follow(VolumeLocation from, String toVolume, Attachment attachment) throws VolumeDriverException {
        if (!reconcilable) {
            return VolumeDriver.super.follow(from, toVolume, attachment);
        }
        calls.add(FOLLOW + attachment + " " + toVolume + " " + from.mountDirectory());
        if (!attachment.volume().equals(from.volume())) {
            throw new InvalidConnectionInfoException("attachment.volume", "must equal the location's volume");
        }
        requireVolumeName(toVolume, "toVolume");
        if (toVolume.equals(from.volume())) {
            throw new InvalidConnectionInfoException("toVolume", "names the file the attachment records already");
        }
        synchronized (this) {
            for (Map.Entry<String, Set<Attachment>> entry : byExport.entrySet()) {
                if (from.directory().equals(directories.get(entry.getKey())) && entry.getValue().remove(attachment)) {
                    entry.getValue().add(new Attachment(toVolume, attachment.instance()));
                    return true;
                }
            }
            return false;
        }
    }

    private static void requireVolumeName(String name, String field) throws InvalidConnectionInfoException {
        if (name == null || !name.matches(VOLUME_NAME) || name.contains("..")) {
            throw new InvalidConnectionInfoException(field, "must be one volume file name without '/' or '..'");
        }
    }
}
