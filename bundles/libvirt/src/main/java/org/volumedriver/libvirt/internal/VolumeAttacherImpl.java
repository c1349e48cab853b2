package org.volumedriver.libvirt.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.libvirt.VolumeAttacher;
import org.volumedriver.libvirt.internal.Guest.View;
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
 * ({@link TestDriverConnection}). Every operation uses one snapshot of the settings in force.
 */
@Component(service = VolumeAttacher.class)
public class VolumeAttacherImpl implements VolumeAttacher {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeAttacherImpl.class);

    /** libvirt domain names as this bundle accepts them. */
    static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+:-]{0,127}");

    private final VolumeDrivers drivers;
    private final Supplier<LibvirtSettings> settings;
    private final ConcurrentMap<String, ReentrantLock> domainLocks = new ConcurrentHashMap<>();
    private final TestDriverConnection connections = new TestDriverConnection();

    /**
     * @param drivers the driver whiteboard
     * @param settings the settings in force
     */
    @Activate
    public VolumeAttacherImpl(@Reference VolumeDrivers drivers, @Reference CurrentSettings settings) {
        this(drivers, (Supplier<LibvirtSettings>) settings);
    }

    /**
     * Outside a framework. A factory rather than a second public constructor: Declarative Services
     * picks its constructor by the number of arguments, and two of the same count are ambiguous.
     *
     * @param drivers the driver registry
     * @param settings the settings, fixed
     * @return an attacher with those settings
     */
    public static VolumeAttacherImpl withSettings(VolumeDrivers drivers, LibvirtSettings settings) {
        Objects.requireNonNull(settings, "settings");
        return new VolumeAttacherImpl(drivers, () -> settings);
    }

    private VolumeAttacherImpl(VolumeDrivers drivers, Supplier<LibvirtSettings> settings) {
        this.drivers = Objects.requireNonNull(drivers, "drivers");
        this.settings = Objects.requireNonNull(settings, "settings");
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
        checkDomainName(domain);
        // one device change per domain at a time: two attaches of one disk could otherwise both pass
        // the "already attached" check, and the loser's undo would disconnect the winner's volume
        ReentrantLock lock = domainLock(domain);
        lock.lock();
        try {
            return attachUnlocked(domain, info, attachment, targetDev, targetBus, mode);
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock domainLock(String domain) {
        return domainLocks.computeIfAbsent(domain, d -> new ReentrantLock());
    }

    private AttachResult attachUnlocked(String domain, ConnectionInfo info, Attachment attachment, String targetDev,
            String targetBus, AttachMode mode) throws VolumeDriverException {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(attachment, "attachment");
        Objects.requireNonNull(mode, "mode");
        String type = info.driverVolumeType();
        VolumeDriver driver = drivers.driver(type);
        LibvirtSettings current = settings.get();
        // side-effect free first: nothing is mounted for a disk or a target that would be refused
        DiskSpec described = withTarget(driver.describeDisk(info), targetDev, targetBus);
        CheckedDisk planned = CheckedDisk.check(current.disks(), type, described);
        try (Libvirt libvirt = connections.session(current.uri())) {
            Guest guest = libvirt.guest(domain);
            refuseIfReferenced(guest, described.sourcePath());
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

    /** A second attach of a disk the domain already has would fail in libvirt and must not touch the volume. */
    private static void refuseIfReferenced(Guest guest, String source) throws VolumeDriverException {
        Optional<DomainXml.Disk> existing = guest.isActive() ? guest.disk(View.LIVE, source) : Optional.empty();
        if (existing.isEmpty() && guest.isPersistent()) {
            existing = guest.disk(View.PERSISTENT, source);
        }
        if (existing.isPresent()) {
            throw new InvalidDiskSpecException("disk.source.path", source,
                    "is already attached to domain " + guest.name() + " as " + existing.get().targetDev());
        }
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
        checkDomainName(domain);
        ReentrantLock lock = domainLock(domain);
        lock.lock();
        try {
            return detachUnlocked(domain, info, attachment, mode);
        } finally {
            lock.unlock();
        }
    }

    private DetachResult detachUnlocked(String domain, ConnectionInfo info, Attachment attachment, AttachMode mode)
            throws VolumeDriverException {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(attachment, "attachment");
        Objects.requireNonNull(mode, "mode");
        VolumeDriver driver = drivers.driver(info.driverVolumeType());
        String source = driver.describeDisk(info).sourcePath();
        LibvirtSettings current = settings.get();
        long start = System.nanoTime();
        try (Libvirt libvirt = connections.session(current.uri())) {
            Guest guest = libvirt.guest(domain);
            boolean active = guest.isActive();
            boolean persistent = guest.isPersistent();
            Optional<DomainXml.Disk> inLive = active ? guest.disk(View.LIVE, source) : Optional.empty();
            Optional<DomainXml.Disk> inConfig = persistent ? guest.disk(View.PERSISTENT, source) : Optional.empty();
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

    private static void checkDomainName(String domain) throws InvalidDiskSpecException {
        if (domain == null || !DOMAIN_NAME.matcher(domain).matches()) {
            throw new InvalidDiskSpecException("domain", domain, "must match " + DOMAIN_NAME.pattern());
        }
    }
}
