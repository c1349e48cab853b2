package org.volumedriver.libvirt.internal;

import java.util.Objects;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.volumedriver.libvirt.AttachedVolumes;
import org.volumedriver.libvirt.BlockJobProgress;
import org.volumedriver.libvirt.DiskChain;
import org.volumedriver.libvirt.ExtendResult;
import org.volumedriver.libvirt.InvalidSizeException;
import org.volumedriver.libvirt.MergeResult;
import org.volumedriver.libvirt.SnapshotResult;
import org.volumedriver.libvirt.internal.ChainReader.LiveDisk;
import org.volumedriver.libvirt.internal.Telemetry.GuestOperation;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.spi.VolumeImage;

/**
 * The {@link AttachedVolumes} component: checks what needs no libvirt (domain name, snapshot id,
 * file names through the driver, size), then takes the domain's lock (shared with attach and
 * detach) and a libvirt session and hands over to {@link SnapshotCreate}, {@link SnapshotMerge} or
 * {@link DiskResize}. Each operation is timed and posted through {@link Telemetry}.
 */
@Component(service = AttachedVolumes.class)
public class AttachedVolumesImpl implements AttachedVolumes, AutoCloseable {

    /** A snapshot id: a UUID in its canonical form. */
    static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** One file name as the SPI accepts a volume name; the driver then applies its own pattern. */
    static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

    private final VolumeDrivers drivers;
    private final LibvirtSessions sessions;
    private final boolean ownsSessions;
    private final DomainLocks locks;
    private final Telemetry telemetry;

    /**
     * @param drivers the driver whiteboard
     * @param sessions libvirt sessions on the settings in force
     * @param locks the per-domain locks shared with the attacher
     * @param telemetry events and timers
     */
    @Activate
    public AttachedVolumesImpl(@Reference VolumeDrivers drivers, @Reference LibvirtSessions sessions, @Reference DomainLocks locks,
            @Reference Telemetry telemetry) {
        this(drivers, sessions, false, locks, telemetry);
    }

    private AttachedVolumesImpl(VolumeDrivers drivers, LibvirtSessions sessions, boolean ownsSessions, DomainLocks locks,
            Telemetry telemetry) {
        this.drivers = Objects.requireNonNull(drivers, "drivers");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.ownsSessions = ownsSessions;
        this.locks = Objects.requireNonNull(locks, "locks");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    }

    /**
     * Outside a framework, with locks of its own and no telemetry. Close it when done.
     *
     * @param drivers the driver registry
     * @param settings the settings, fixed
     * @return the component
     */
    public static AttachedVolumesImpl withSettings(VolumeDrivers drivers, LibvirtSettings settings) {
        return withSettings(drivers, settings, new DomainLocks(), new Telemetry());
    }

    /**
     * Outside a framework. Close it when done.
     *
     * @param drivers the driver registry
     * @param settings the settings, fixed
     * @param locks the per-domain locks, shared with an attacher made with the same
     * @param telemetry events and timers
     * @return the component
     */
    public static AttachedVolumesImpl withSettings(VolumeDrivers drivers, LibvirtSettings settings, DomainLocks locks,
            Telemetry telemetry) {
        return new AttachedVolumesImpl(drivers, LibvirtSessions.withSettings(settings), true, locks, telemetry);
    }

    /** Closes the sessions it made itself (outside a framework). */
    @Override
    @Deactivate
    public void close() {
        if (ownsSessions) {
            sessions.close();
        }
    }

    /** What an operation has learned so far, for its event and timer. */
    private static final class Seen {
        String driver;
        String volume;

        AttachedVolume resolve(VolumeDrivers drivers, ConnectionInfo info) throws VolumeDriverException {
            Objects.requireNonNull(info, "info");
            AttachedVolume volume = AttachedVolume.of(drivers, info);
            driver = volume.type();
            this.volume = volume.volume();
            return volume;
        }
    }

    /** One operation's body. */
    @FunctionalInterface
    private interface Body<T> {
        T run(Seen seen, long start) throws VolumeDriverException;
    }

    private <T> T observed(GuestOperation operation, String domain, Body<T> body) throws VolumeDriverException {
        long start = System.nanoTime();
        Seen seen = new Seen();
        try {
            T result = body.run(seen, start);
            telemetry.done(operation, seen.driver, domain, seen.volume, System.nanoTime() - start);
            return result;
        } catch (VolumeDriverException | RuntimeException e) {
            telemetry.failed(operation, seen.driver, domain, seen.volume, e, System.nanoTime() - start);
            throw e;
        }
    }

    /** Runs a change under the domain's lock on a session of the settings in force. */
    private <T> T onGuest(String domain, GuestBody<T> body) throws VolumeDriverException {
        return locks.with(domain, () -> {
            try (Libvirt libvirt = sessions.open()) {
                return body.run(libvirt.guest(domain));
            }
        });
    }

    /** What runs on the domain. */
    @FunctionalInterface
    private interface GuestBody<T> {
        T run(Guest guest) throws VolumeDriverException;
    }

    @Override
    public SnapshotResult snapshotCreate(String domain, ConnectionInfo info, String snapshotId, String newFile)
            throws VolumeDriverException {
        return observed(GuestOperation.SNAPSHOT_CREATE, domain, (seen, start) -> {
            VolumeAttacherImpl.checkDomainName(domain);
            if (snapshotId == null || !SNAPSHOT_ID.matcher(snapshotId).matches()) {
                throw new InvalidConnectionInfoException("snapshot_id", "must be a UUID");
            }
            checkFileName("new_file", newFile);
            AttachedVolume volume = seen.resolve(drivers, info);
            VolumeImage image = volume.inspect(newFile);
            DiskPolicy policy = sessions.settings().disks();
            return onGuest(domain, guest -> new SnapshotCreate(volume, guest, snapshotId, newFile, image, policy).run(start));
        });
    }

    @Override
    public MergeResult snapshotDelete(String domain, ConnectionInfo info, String fileToMerge, String mergeTargetFile,
            BlockJobProgress progress) throws VolumeDriverException {
        return observed(GuestOperation.SNAPSHOT_DELETE, domain, (seen, start) -> {
            VolumeAttacherImpl.checkDomainName(domain);
            if (fileToMerge != null) {
                checkFileName("file_to_merge", fileToMerge);
            } else if (mergeTargetFile != null) {
                throw new InvalidConnectionInfoException("file_to_merge", "is required with merge_target_file");
            }
            if (mergeTargetFile != null) {
                checkFileName("merge_target_file", mergeTargetFile);
            }
            AttachedVolume volume = seen.resolve(drivers, info);
            // the driver checks the names and that the files are there before libvirt is asked
            if (fileToMerge != null) {
                volume.inspect(fileToMerge);
            }
            if (mergeTargetFile != null) {
                volume.inspect(mergeTargetFile);
            }
            BlockJobs jobs = BlockJobs.of(sessions.settings());
            return onGuest(domain, guest -> new SnapshotMerge(volume, guest, jobs).run(fileToMerge, mergeTargetFile, progress, start));
        });
    }

    @Override
    public ExtendResult extend(String domain, ConnectionInfo info, long newSizeBytes) throws VolumeDriverException {
        return observed(GuestOperation.EXTEND, domain, (seen, start) -> {
            VolumeAttacherImpl.checkDomainName(domain);
            if (newSizeBytes <= 0) {
                throw new InvalidSizeException(newSizeBytes, "a size must be positive");
            }
            AttachedVolume volume = seen.resolve(drivers, info);
            return onGuest(domain, guest -> DiskResize.run(volume, guest, newSizeBytes, start));
        });
    }

    @Override
    public DiskChain chain(String domain, ConnectionInfo info) throws VolumeDriverException {
        VolumeAttacherImpl.checkDomainName(domain);
        Objects.requireNonNull(info, "info");
        AttachedVolume volume = AttachedVolume.of(drivers, info);
        // read only: no lock, so the chain can be watched while a merge runs
        try (Libvirt libvirt = sessions.open()) {
            Guest guest = libvirt.guest(domain);
            Guest.View view = guest.isActive() ? Guest.View.LIVE : Guest.View.PERSISTENT;
            LiveDisk disk = DiskLookup.find(domain, ChainReader.disks(guest, view), volume.described());
            return RunningDisk.chainOf(domain, disk);
        }
    }

    private static void checkFileName(String field, String name) throws InvalidConnectionInfoException {
        if (name == null) {
            throw new InvalidConnectionInfoException(field, "is missing");
        }
        if (!FILE_NAME.matcher(name).matches() || name.contains("..")) {
            throw new InvalidConnectionInfoException(field, "must be one file name matching " + FILE_NAME.pattern() + " without '..'");
        }
    }

    /** @return the domain locks, for tests */
    DomainLocks locks() {
        return locks;
    }
}
