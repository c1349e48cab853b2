package org.volumedriver.libvirt.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.UnsupportedFormatException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeLocation;

/**
 * A volume driver over one real directory, for the tests of the operations on attached volumes:
 * names {@code volume-<uuid>[.<suffix>]}, the serial the UUID (as the Quobyte driver gives it,
 * unless built without serials), counted attachments that {@link #follow} moves, and
 * {@link #inspectImage} reading the real file's header ({@link Qcow2Files}). Every change is
 * recorded in {@link #calls}.
 */
class DirectoryVolumeDriver implements VolumeDriver {

    static final Pattern NAME = Pattern.compile("volume-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(\\.[A-Za-z0-9_-]{1,64})?");

    final Path directory;
    final boolean serials;
    final List<String> calls = new CopyOnWriteArrayList<>();
    private final Set<Attachment> attachments = new TreeSet<>();

    DirectoryVolumeDriver(Path directory, boolean serials) {
        this.directory = directory.toAbsolutePath().normalize();
        this.serials = serials;
    }

    @Override
    public String type() {
        return "dir";
    }

    private String name(String name, String field) throws InvalidConnectionInfoException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidConnectionInfoException(field, "must match " + NAME.pattern());
        }
        return name;
    }

    @Override
    public void validate(ConnectionInfo info) throws VolumeDriverException {
        info.requireExport();
        name(info.requireName(), "data.name");
        if (!List.of("raw", "qcow2").contains(info.format())) {
            throw new UnsupportedFormatException("data.format", info.format(), List.of("raw", "qcow2"));
        }
    }

    @Override
    public DiskSpec connect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        validate(info);
        calls.add("connect " + attachment);
        synchronized (this) {
            attachments.add(attachment);
        }
        return describeDisk(info);
    }

    @Override
    public synchronized DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        validate(info);
        calls.add("disconnect " + attachment);
        if (!attachments.remove(attachment)) {
            return DisconnectOutcome.NOT_ATTACHED;
        }
        return attachments.isEmpty() ? DisconnectOutcome.UNMOUNTED : DisconnectOutcome.STILL_IN_USE;
    }

    @Override
    public DiskSpec describeDisk(ConnectionInfo info) throws VolumeDriverException {
        validate(info);
        Matcher m = NAME.matcher(info.requireName());
        m.matches();
        return DiskSpec.builder().sourceType("file").sourcePath(directory.resolve(info.requireName()).toString()).format(info.format())
                .serial(serials ? m.group(1) : null).build();
    }

    @Override
    public synchronized List<MountStatus> mounts() {
        return List.of(new MountStatus(type(), "dir://export", directory.toString(), MountState.HEALTHY, attachments, Instant.EPOCH, null));
    }

    @Override
    public synchronized boolean isAttached(Attachment attachment) {
        return attachments.contains(attachment);
    }

    /** @param attachment counted as connected earlier, without a call recorded */
    synchronized void connectedEarlier(Attachment attachment) {
        attachments.add(attachment);
    }

    synchronized Set<Attachment> attachments() {
        return Set.copyOf(attachments);
    }

    @Override
    public MountStatus heal(String mountDirectory, boolean force) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of();
    }

    @Override
    public VolumeImage inspectImage(ConnectionInfo info, String file) throws VolumeDriverException {
        validate(info);
        name(file, "data.name");
        Path path = directory.resolve(file);
        if (Files.isSymbolicLink(path)) {
            throw new UnsafePathException(path.toString(), "is a symlink");
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafePathException(path.toString(), "is not a regular file");
        }
        try {
            long fileSize = Files.size(path);
            VolumeLocation location = new VolumeLocation(directory.toString(), file);
            Optional<Qcow2Files.Header> header = Qcow2Files.read(path);
            if (header.isEmpty()) {
                return new VolumeImage(location, VolumeImage.RAW, fileSize, fileSize, Optional.empty(), Optional.empty());
            }
            Qcow2Files.Header h = header.get();
            if (h.dataFile()) {
                throw new UnsafeImageException("qcow2 " + file + " names an external data file");
            }
            if (h.backingFile().isPresent() && !NAME.matcher(h.backingFile().get()).matches()) {
                throw new UnsafeImageException("qcow2 " + file + " has a backing file outside the directory or not a volume name");
            }
            return new VolumeImage(location, VolumeImage.QCOW2, h.size(), fileSize, h.backingFile(), h.backingFormat());
        } catch (IOException e) {
            throw new UnsafePathException(path.toString(), "cannot be read: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public synchronized boolean follow(VolumeLocation from, String toVolume, Attachment attachment) throws VolumeDriverException {
        name(toVolume, "data.name");
        if (!from.mountDirectory().equals(directory.toString()) || !attachment.volume().equals(from.volume())) {
            throw new InvalidConnectionInfoException("data.name", "is not the attachment's volume in this directory");
        }
        calls.add("follow " + attachment + " -> " + toVolume);
        if (!attachments.remove(attachment)) {
            return false;
        }
        attachments.add(new Attachment(toVolume, attachment.instance()));
        return true;
    }
}
