package org.volumedriver.testsupport;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnsupportedFormatException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;

/**
 * An in-memory volume driver for the logic above the drivers (attach flow, shell, registries):
 * one mount per export, counted attachments, every call recorded, nothing touched on the host.
 *
 * <p>It accepts the formats {@code raw} and {@code qcow2} and a volume name without {@code /}, and
 * needs an export. Its disk is a file either under {@code /base/<hash of the export>} in the
 * connection's format, uncached with native I/O, or in one fixed directory in one fixed format
 * with the hypervisor's defaults (a directory QEMU can really open).
 */
public class FakeVolumeDriver implements VolumeDriver {

    /** When every mount of the fake was made. */
    public static final Instant SINCE = Instant.parse("2026-01-02T03:04:05.678Z");

    /** The formats {@link #validate} accepts. */
    public static final List<String> FORMATS = List.of("raw", "qcow2");

    private static final String CONNECT = "connect ";
    private static final String DISCONNECT = "disconnect ";

    private final String type;
    private final Path volumes;
    private final String format;
    private final Map<String, Set<Attachment>> byExport = new TreeMap<>();
    private final Map<String, MountState> states = new TreeMap<>();
    private volatile CountDownLatch connectGate = new CountDownLatch(0);

    /**
     * Every call, in order: {@code validate} (also for the validation that connect, disconnect and
     * describeDisk do first), {@code connect <attachment>}, {@code disconnect <attachment>},
     * {@code heal <directory> <force>}.
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
        this.type = type;
        this.volumes = volumes;
        this.format = format;
    }

    /**
     * @param export an export
     * @return the mount directory of a driver built without a volume directory
     */
    public static String directory(String export) {
        return "/base/" + Integer.toHexString(export.hashCode());
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
            if (attachments.isEmpty()) {
                byExport.remove(export);
                states.remove(export);
                return DisconnectOutcome.UNMOUNTED;
            }
            return DisconnectOutcome.STILL_IN_USE;
        }
    }

    @Override
    public DiskSpec describeDisk(ConnectionInfo info) throws VolumeDriverException {
        validate(info);
        String name = info.requireName();
        if (volumes != null) {
            return DiskSpec.builder().sourceType("file").sourcePath(volumes.resolve(name).toString()).format(format).build();
        }
        return DiskSpec.builder().sourceType("file").sourcePath(directory(info.requireExport()) + "/" + name)
                .format(info.format()).cache("none").io("native").build();
    }

    @Override
    public synchronized List<MountStatus> mounts() {
        List<MountStatus> mounts = new ArrayList<>();
        for (Map.Entry<String, Set<Attachment>> entry : byExport.entrySet()) {
            MountState state = states.get(entry.getKey());
            mounts.add(new MountStatus(type, entry.getKey(), mountDirectory(entry.getKey()), state, entry.getValue(), SINCE,
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
        byExport.computeIfAbsent(export, e -> new TreeSet<>()).add(attachment);
        states.putIfAbsent(export, MountState.HEALTHY);
    }

    private String mountDirectory(String export) {
        return volumes != null ? volumes.toString() : directory(export);
    }
}
