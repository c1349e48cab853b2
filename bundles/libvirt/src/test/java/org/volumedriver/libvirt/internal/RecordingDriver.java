package org.volumedriver.libvirt.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.VolumeDriverException;

/**
 * A fake driver for the attach flow's logic: the disk is a file in a fixed directory named by
 * {@code data.name}; every call is recorded.
 */
final class RecordingDriver implements org.volumedriver.spi.VolumeDriver {

    final String type;
    final Path directory;
    final String format;
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** Attachments this driver reports as already counted (in {@link #mounts()}). */
    final java.util.Set<Attachment> counted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Connect waits here after recording the call; open unless a test closes it. */
    volatile java.util.concurrent.CountDownLatch connectGate = new java.util.concurrent.CountDownLatch(0);

    RecordingDriver(String type) {
        this(type, Path.of("/var/lib/volumedriver/test"), "raw");
    }

    RecordingDriver(String type, Path directory, String format) {
        this.type = type;
        this.directory = directory;
        this.format = format;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public void validate(ConnectionInfo info) throws VolumeDriverException {
        info.requireName();
    }

    @Override
    public DiskSpec connect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        calls.add("connect " + attachment);
        try {
            connectGate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return describeDisk(info);
    }

    @Override
    public DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) {
        calls.add("disconnect " + attachment);
        return DisconnectOutcome.UNMOUNTED;
    }

    @Override
    public DiskSpec describeDisk(ConnectionInfo info) throws VolumeDriverException {
        String name = info.requireName();
        if (name.contains("/")) {
            throw new InvalidConnectionInfoException("data.name", "must not contain '/'");
        }
        return DiskSpec.builder().sourceType("file").sourcePath(directory.resolve(name).toString()).format(format).build();
    }

    @Override
    public List<MountStatus> mounts() {
        if (counted.isEmpty()) {
            return List.of();
        }
        return List.of(new MountStatus(type, "h/v", directory.toString(), org.volumedriver.spi.MountState.HEALTHY,
                java.util.Set.copyOf(counted), java.time.Instant.EPOCH, ""));
    }

    @Override
    public MountStatus heal(String mountDirectory, boolean force) throws VolumeDriverException {
        throw new InvalidConnectionInfoException("mountDirectory", "is not managed");
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of("connects", calls.stream().filter(c -> c.startsWith("connect")).count());
    }
}
