package org.volumedriver.libvirt.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.ChainMismatchException;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.libvirt.VolumeAttacher;
import org.volumedriver.libvirt.internal.ChainReader.LiveDisk;
import org.volumedriver.libvirt.internal.Guest.View;
import org.volumedriver.libvirt.internal.Telemetry.GuestOperation;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeDrivers;

/**
 * Attach and detach: the driver connects the volume, the checked disk goes to the domain through
 * {@link Guest}, and whatever this call connected is undone when the attach fails. One libvirt
 * connection per operation: nothing to go stale between calls, and a restarted libvirtd is picked
 * up by the next call. The test driver, whose domains live in the connection, keeps one
 * ({@link TestDriverConnection}). Every operation uses one snapshot of the settings in force, holds
 * the domain's lock ({@link DomainLocks}, shared with the operations on attached volumes) and is
 * timed and posted through {@link Telemetry}.
 */
@Component(service = VolumeAttacher.class)
public class VolumeAttacherImpl implements VolumeAttacher {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeAttacherImpl.class);

    /** libvirt domain names as this bundle accepts them. */
    static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+:-]{0,127}");

    private final VolumeDrivers drivers;
    private final Supplier<LibvirtSettings> settings;
    private final DomainLocks locks;
    private final Telemetry telemetry;
    private final TestDriverConnection connections = new TestDriverConnection();

    /**
     * @param drivers the driver whiteboard
     * @param settings the settings in force
     * @param locks the per-domain locks shared with the operations on attached volumes
     * @param telemetry events and timers
     */
    @Activate
    public VolumeAttacherImpl(@Reference VolumeDrivers drivers, @Reference CurrentSettings settings, @Reference DomainLocks locks,
            @Reference Telemetry telemetry) {
        this(drivers, (Supplier<LibvirtSettings>) settings, locks, telemetry);
    }

    /**
     * Outside a framework, on the settings in force, with locks of its own and no telemetry.
     *
     * @param drivers the driver registry
     * @param settings the settings in force
     */
    public VolumeAttacherImpl(VolumeDrivers drivers, CurrentSettings settings) {
        this(drivers, (Supplier<LibvirtSettings>) settings, new DomainLocks(), new Telemetry());
    }

    /**
     * Outside a framework. A factory rather than a second public constructor: Declarative Services
     * picks its constructor by the number of arguments, and two of the same count are ambiguous.
     *
     * @param drivers the driver registry
     * @param settings the settings, fixed
     * @return an attacher with those settings, locks of its own and no telemetry
     */
    public static VolumeAttacherImpl withSettings(VolumeDrivers drivers, LibvirtSettings settings) {
        return withSettings(drivers, settings, new DomainLocks(), new Telemetry());
    }

    /**
     * Outside a framework.
     *
     * @param drivers the driver registry
     * @param settings the settings, fixed
     * @param locks the per-domain locks, shared with an {@link AttachedVolumesImpl} made with the same
     * @param telemetry events and timers
     * @return an attacher with those settings
     */
    public static VolumeAttacherImpl withSettings(VolumeDrivers drivers, LibvirtSettings settings, DomainLocks locks,
            Telemetry telemetry) {
        Objects.requireNonNull(settings, "settings");
        return new VolumeAttacherImpl(drivers, () -> settings, locks, telemetry);
    }

    private VolumeAttacherImpl(VolumeDrivers drivers, Supplier<LibvirtSettings> settings, DomainLocks locks, Telemetry telemetry) {
        this.drivers = Objects.requireNonNull(drivers, "drivers");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.locks = Objects.requireNonNull(locks, "locks");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    }

    /** @return the settings in force */
    LibvirtSettings settings() {
        return settings.get();
    }

    @Deactivate
    void deactivate() {
        connections.close();
        Libvirt.uninstallErrorCallback();
    }

    /** @return where operations get their connection, for tests */
    TestDriverConnection connections() {
        return connections;
    }

    @Override
    public AttachResult attach(String domain, ConnectionInfo info, Attachment attachment, String targetDev, String targetBus,
            AttachMode mode) throws VolumeDriverException {
        long start = System.nanoTime();
        String[] driver = new String[1];
        try {
            checkDomainName(domain);
            // one device change per domain at a time: two attaches of one disk could otherwise both pass
            // the "already attached" check, and the loser's undo would disconnect the winner's volume
            AttachResult result = locks.with(domain, () -> attachUnlocked(domain, info, attachment, targetDev, targetBus, mode, driver));
            telemetry.done(GuestOperation.ATTACH, driver[0], domain, attachment.volume(), System.nanoTime() - start);
            return result;
        } catch (VolumeDriverException | RuntimeException e) {
            telemetry.failed(GuestOperation.ATTACH, driver[0], domain, attachment == null ? null : attachment.volume(), e,
                    System.nanoTime() - start);
            throw e;
        }
    }

    private AttachResult attachUnlocked(String domain, ConnectionInfo info, Attachment attachment, String targetDev,
            String targetBus, AttachMode mode, String[] driverType) throws VolumeDriverException {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(attachment, "attachment");
        Objects.requireNonNull(mode, "mode");
        String type = info.driverVolumeType();
        VolumeDriver driver = drivers.driver(type);
        driverType[0] = driver.type();
        LibvirtSettings current = settings.get();
        // side-effect free first: nothing is mounted for a disk or a target that would be refused
        DiskSpec described = withTarget(driver.describeDisk(info), targetDev, targetBus);
        CheckedDisk planned = CheckedDisk.check(current.disks(), type, described);
        try (Libvirt libvirt = connections.session(current.uri())) {
            Guest guest = libvirt.guest(domain);
            refuseIfReferenced(guest, described);
            // undo only what this call did: an attachment the driver already counted stays connected
            boolean connectedBefore = isConnected(driver, attachment);
            DiskSpec connected = driver.connect(info, attachment);
            try {
                CheckedDisk disk = connectedDisk(planned, described, withTarget(connected, targetDev, targetBus), current, type);
                guest.attach(disk, mode);
                LOG.info("attached {} to domain {} as {} ({})", attachment, domain, targetDev, mode);
                return new AttachResult(domain, mode, disk.spec(), disk.xml());
            } catch (VolumeDriverException | RuntimeException e) {
                if (connectedBefore) {
                    LOG.warn("attach of {} to domain {} failed; the attachment was connected before, so it stays connected",
                            attachment, domain);
                } else {
                    undoConnect(driver, info, attachment, e);
                }
                throw e;
            }
        }
    }

    /**
     * The disk the driver connected, checked. A driver normally connects exactly the disk it
     * described, and then the check made before the connect stands; a different disk is checked
     * on its own.
     */
    private static CheckedDisk connectedDisk(CheckedDisk planned, DiskSpec described, DiskSpec connected,
            LibvirtSettings settings, String type) throws VolumeDriverException {
        return connected.equals(described) ? planned : CheckedDisk.check(settings.disks(), type, connected);
    }

    /**
     * A second attach of a disk the domain already has would fail in libvirt and must not touch the
     * volume. A disk with the volume's serial is the volume too, whichever of its files it uses now.
     */
    private static void refuseIfReferenced(Guest guest, DiskSpec described) throws VolumeDriverException {
        String source = described.sourcePath();
        Optional<DomainXml.Disk> existing = guest.isActive() ? guest.disk(View.LIVE, source) : Optional.empty();
        if (existing.isEmpty() && guest.isPersistent()) {
            existing = guest.disk(View.PERSISTENT, source);
        }
        if (existing.isPresent()) {
            throw new InvalidDiskSpecException("disk.source.path", source,
                    "is already attached to domain " + guest.name() + " as " + existing.get().targetDev());
        }
        Optional<LiveDisk> same = described.serial().isPresent() ? bySerial(guest, described).stream().findFirst() : Optional.empty();
        if (same.isPresent()) {
            throw new InvalidDiskSpecException("disk.serial", described.serial().get(),
                    "is already attached to domain " + guest.name() + " as " + same.get().targetDev());
        }
    }

    /** The disks carrying the volume's serial in the running guest and the persistent definition. */
    private static List<LiveDisk> bySerial(Guest guest, DiskSpec described) throws VolumeDriverException {
        Optional<LiveDisk> live = guest.isActive() ? DiskLookup.lookup(ChainReader.disks(guest, View.LIVE), described) : Optional.empty();
        Optional<LiveDisk> config = guest.isPersistent()
                ? DiskLookup.lookup(ChainReader.disks(guest, View.PERSISTENT), described) : Optional.empty();
        return Stream.of(live, config).flatMap(Optional::stream).toList();
    }

    private static boolean isConnected(VolumeDriver driver, Attachment attachment) {
        try {
            return driver.isAttached(attachment);
        } catch (RuntimeException e) {
            LOG.debug("driver {} could not tell its attachments: {}", driver.type(), e.getClass().getSimpleName());
            return false;
        }
    }

    private static void undoConnect(VolumeDriver driver, ConnectionInfo info, Attachment attachment, Exception cause) {
        try {
            DisconnectOutcome outcome = driver.disconnect(info, attachment);
            LOG.info("attach of {} failed; volume disconnected again ({})", attachment, outcome);
        } catch (VolumeDriverException | RuntimeException e) {
            cause.addSuppressed(e);
            LOG.error("attach of {} failed and the disconnect that undoes it failed too: {} {}",
                    attachment, e.getClass().getSimpleName(), Redactor.redactText(e.getMessage()));
        }
    }

    @Override
    public DetachResult detach(String domain, ConnectionInfo info, Attachment attachment, AttachMode mode)
            throws VolumeDriverException {
        long start = System.nanoTime();
        String[] driver = new String[1];
        try {
            checkDomainName(domain);
            DetachResult result = locks.with(domain, () -> detachUnlocked(domain, info, attachment, mode, driver));
            if (result.disconnect().isPresent()) {
                telemetry.done(GuestOperation.DETACH, driver[0], domain, attachment.volume(), System.nanoTime() - start);
            } else {
                // the volume stays connected: no DETACHED yet
                telemetry.timed(GuestOperation.DETACH, driver[0], System.nanoTime() - start);
            }
            return result;
        } catch (VolumeDriverException | RuntimeException e) {
            telemetry.failed(GuestOperation.DETACH, driver[0], domain, attachment == null ? null : attachment.volume(), e,
                    System.nanoTime() - start);
            throw e;
        }
    }

    private DetachResult detachUnlocked(String domain, ConnectionInfo info, Attachment attachment, AttachMode mode,
            String[] driverType) throws VolumeDriverException {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(attachment, "attachment");
        Objects.requireNonNull(mode, "mode");
        VolumeDriver driver = drivers.driver(info.driverVolumeType());
        driverType[0] = driver.type();
        DiskSpec described = driver.describeDisk(info);
        String source = described.sourcePath();
        LibvirtSettings current = settings.get();
        long start = System.nanoTime();
        try (Libvirt libvirt = connections.session(current.uri())) {
            Guest guest = libvirt.guest(domain);
            boolean active = guest.isActive();
            boolean persistent = guest.isPersistent();
            Optional<DomainXml.Disk> inLive = active ? guest.disk(View.LIVE, source) : Optional.empty();
            Optional<DomainXml.Disk> inConfig = persistent ? guest.disk(View.PERSISTENT, source) : Optional.empty();
            Optional<String> followed = inLive.isEmpty() && inConfig.isEmpty() ? followedFile(guest, described) : Optional.empty();
            if (followed.isPresent()) {
                // an assisted snapshot switched the guest to a newer file of the volume: detach that
                // disk, and disconnect the attachment the driver's records followed to that file
                String file = followed.get();
                LOG.info("detach of {} from domain {}: the disk with its serial uses {} now; detaching that file", attachment, domain, file);
                info = AttachedVolume.withName(info, file);
                attachment = Attachment.of(file, attachment.instance());
                source = Path.of(source).resolveSibling(file).toString();
                inLive = active ? guest.disk(View.LIVE, source) : Optional.empty();
                inConfig = persistent ? guest.disk(View.PERSISTENT, source) : Optional.empty();
            }
            // detach only from the views asked for that have the disk
            boolean fromLive = mode != AttachMode.CONFIG && inLive.isPresent();
            boolean fromConfig = mode != AttachMode.LIVE && inConfig.isPresent();
            if (fromLive || fromConfig) {
                DomainXml.Disk disk = inLive.orElseGet(inConfig::get);
                guest.detach(disk, inConfig, source, scope(fromLive, fromConfig));
                if (fromLive && !waitUntilGone(guest, source, current)) {
                    LOG.warn("detach of {} from domain {}: the guest has not released {} within {} ms; the volume stays connected",
                            attachment, domain, disk.targetDev(), current.detachWait().toMillis());
                    return new DetachResult(domain, DetachOutcome.NOT_RELEASED, Optional.empty(), since(start));
                }
            }
            // the volume goes only when no view of the domain references the disk any more
            boolean stillLive = guest.isActive() && guest.disk(View.LIVE, source).isPresent();
            boolean stillConfig = persistent && guest.disk(View.PERSISTENT, source).isPresent();
            if (stillLive || stillConfig) {
                LOG.info("detach of {} from domain {} ({}): still referenced by the {}; the volume stays connected",
                        attachment, domain, mode, stillLive ? "running guest" : "persistent definition");
                return new DetachResult(domain, DetachOutcome.STILL_REFERENCED, Optional.empty(), since(start));
            }
            DisconnectOutcome outcome = driver.disconnect(info, attachment);
            DetachOutcome detached = fromLive || fromConfig ? DetachOutcome.DETACHED : DetachOutcome.NOT_ATTACHED;
            LOG.info("detach of {} from domain {} ({}): {}; volume disconnected ({})", attachment, domain, mode, detached, outcome);
            return new DetachResult(domain, detached, Optional.of(outcome), since(start));
        }
    }

    /**
     * The file a disk with the volume's serial uses when it is not the connection info's: the volume
     * file the guest was switched to. Only a file in the same mount directory, and only one.
     *
     * @return the file's name, if the domain has such a disk
     * @throws ChainMismatchException if that disk's file lies elsewhere, or the running guest and the
     *         definition use different files
     */
    private static Optional<String> followedFile(Guest guest, DiskSpec described) throws VolumeDriverException {
        if (described.serial().isEmpty()) {
            return Optional.empty();
        }
        Path directory = DiskLookup.directory(described);
        Optional<String> file = Optional.empty();
        for (LiveDisk disk : bySerial(guest, described)) {
            String name = DiskLookup.nameIn(disk.source().orElse(""), directory, disk.targetDev());
            if (file.isPresent() && !file.get().equals(name)) {
                throw new ChainMismatchException("the running guest uses " + Redactor.quote(name) + " and the definition "
                        + Redactor.quote(file.get()) + " for serial " + Redactor.quote(described.serial().get()));
            }
            file = Optional.of(name);
        }
        return file;
    }

    private static AttachMode scope(boolean live, boolean config) {
        if (live && config) {
            return AttachMode.LIVE_AND_CONFIG;
        }
        return live ? AttachMode.LIVE : AttachMode.CONFIG;
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Polls the running guest; a guest without a driver for the bus never lets go. */
    private static boolean waitUntilGone(Guest guest, String source, LibvirtSettings settings) throws HypervisorException {
        long deadline = System.nanoTime() + settings.detachWait().toNanos();
        while (true) {
            if (!guest.isActive() || guest.disk(View.LIVE, source).isEmpty()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(settings.detachPoll().toMillis(), left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static DiskSpec withTarget(DiskSpec spec, String dev, String bus) {
        return spec.toBuilder().target(dev, bus).build();
    }

    /**
     * @param domain a domain name from a caller
     * @throws InvalidDiskSpecException (field {@code domain}) unless it is a name this bundle accepts
     */
    static void checkDomainName(String domain) throws InvalidDiskSpecException {
        if (domain == null || !DOMAIN_NAME.matcher(domain).matches()) {
            throw new InvalidDiskSpecException("domain", domain, "must match " + DOMAIN_NAME.pattern());
        }
    }
}
