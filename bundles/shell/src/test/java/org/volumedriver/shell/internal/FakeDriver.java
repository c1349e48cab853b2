package org.volumedriver.shell.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.StaleMountInUseException;
import org.volumedriver.spi.UnsupportedFormatException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;

/**
 * An in-memory volume driver for unit tests of the shell's logic: the export maps to
 * {@code /base/<export>}, attachments are counted per export, and the calls are recorded.
 */
public class FakeDriver implements VolumeDriver {

    public static final Instant SINCE = Instant.parse("2026-01-02T03:04:05.678Z");

    private final String type;
    private final Map<String, Set<Attachment>> byExport = new TreeMap<>();
    private final Map<String, MountState> states = new TreeMap<>();
    public final List<String> calls = new ArrayList<>();
    public final Map<String, Long> counters = new LinkedHashMap<>();

    public FakeDriver(String type) {
        this.type = type;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public void validate(ConnectionInfo info) throws VolumeDriverException {
        calls.add("validate");
        if (!info.format().equals("raw") && !info.format().equals("qcow2")) {
            throw new UnsupportedFormatException("data.format", info.format(), List.of("raw", "qcow2"));
        }
        String name = info.requireName();
        if (name.contains("/")) {
            throw new InvalidConnectionInfoException("data.name", "must not contain '/'");
        }
        info.requireExport();
    }

    @Override
    public DiskSpec connect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        validate(info);
        calls.add("connect " + attachment);
        String export = info.requireExport();
        byExport.computeIfAbsent(export, e -> new TreeSet<>()).add(attachment);
        states.putIfAbsent(export, MountState.HEALTHY);
        return describeDisk(info);
    }

    @Override
    public DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        validate(info);
        calls.add("disconnect " + attachment);
        String export = info.requireExport();
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

    @Override
    public DiskSpec describeDisk(ConnectionInfo info) throws VolumeDriverException {
        validate(info);
        return DiskSpec.builder().sourceType("file").sourcePath(directory(info.requireExport()) + "/" + info.requireName())
                .format(info.format()).cache("none").io("native").build();
    }

    @Override
    public List<MountStatus> mounts() {
        List<MountStatus> mounts = new ArrayList<>();
        for (Map.Entry<String, Set<Attachment>> entry : byExport.entrySet()) {
            MountState state = states.get(entry.getKey());
            mounts.add(new MountStatus(type, entry.getKey(), directory(entry.getKey()), state, entry.getValue(), SINCE,
                    state == MountState.STALE ? "stat failed: ENOTCONN" : null));
        }
        return mounts;
    }

    @Override
    public MountStatus heal(String mountDirectory, boolean force) throws VolumeDriverException {
        calls.add("heal " + mountDirectory + " " + force);
        for (MountStatus mount : mounts()) {
            if (mount.mountDirectory().equals(mountDirectory)) {
                if (mount.state() == MountState.STALE && !mount.attachments().isEmpty() && !force) {
                    throw new StaleMountInUseException(mountDirectory, mount.attachments().size());
                }
                states.put(mount.export(), MountState.HEALTHY);
                return new MountStatus(type, mount.export(), mountDirectory, MountState.HEALTHY, mount.attachments(),
                        SINCE, null);
            }
        }
        throw new InvalidConnectionInfoException("mount-directory", "is not a managed mount");
    }

    @Override
    public Map<String, Long> counters() {
        return counters;
    }

    /** Marks an export's mount state, for tests of listings and heal. */
    public void state(String export, MountState state) {
        states.put(export, state);
    }

    public static String directory(String export) {
        return "/base/" + Integer.toHexString(export.hashCode());
    }
}
