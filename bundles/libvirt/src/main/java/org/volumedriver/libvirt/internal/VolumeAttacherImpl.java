package org.volumedriver.libvirt.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import javax.xml.stream.XMLStreamException;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.libvirt.AttachResult;
import org.volumedriver.libvirt.DetachOutcome;
import org.volumedriver.libvirt.DetachResult;
import org.volumedriver.libvirt.DiskXmlService;
import org.volumedriver.libvirt.InvalidDiskSpecException;
import org.volumedriver.libvirt.VolumeAttacher;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Attach and detach through libvirt-java. One libvirt connection per operation: nothing to go
 * stale between calls, and a restarted libvirtd is picked up by the next call. The test driver,
 * whose domains live in the connection, keeps one ({@link TestDriverConnection}).
 */
@Component(service = VolumeAttacher.class, configurationPid = LibvirtConfig.PID)
public class VolumeAttacherImpl implements VolumeAttacher {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeAttacherImpl.class);

    /** libvirt's {@code VIR_DOMAIN_AFFECT_LIVE} and {@code VIR_DOMAIN_AFFECT_CONFIG}. */
    static final int AFFECT_LIVE = 1;
    static final int AFFECT_CONFIG = 2;
    /** libvirt's {@code VIR_DOMAIN_XML_INACTIVE} and {@code VIR_DOMAIN_XML_SECURE}. */
    static final int XML_INACTIVE = 2;
    static final int XML_SECURE = 1;

    /** libvirt domain names as this bundle accepts them. */
    static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+:-]{0,127}");

    /**
     * The settings of one configuration.
     *
     * @param uri the libvirt URI
     * @param detachWait how long a live detach waits for the guest
     * @param detachPoll how often it looks
     */
    public record Settings(String uri, Duration detachWait, Duration detachPoll) {

        /**
         * @param config the configuration
         * @return the settings
         * @throws InvalidConfigurationException naming the refused key
         */
        public static Settings from(LibvirtConfig config) throws InvalidConfigurationException {
            String uri = config.uri();
            if (uri == null || uri.isEmpty() || uri.length() > 1024 || !uri.matches("[a-z][a-z0-9+]*://[\\x21-\\x7e]*")) {
                throw new InvalidConfigurationException("uri", Redactor.quote(uri) + " is not a libvirt URI such as qemu:///system");
            }
            if (config.detach_wait_ms() < 0 || config.detach_wait_ms() > 600_000) {
                throw new InvalidConfigurationException("detach.wait.ms", "must be 0 to 600000");
            }
            if (config.detach_poll_ms() < 10 || config.detach_poll_ms() > 60_000) {
                throw new InvalidConfigurationException("detach.poll.ms", "must be 10 to 60000");
            }
            return new Settings(uri, Duration.ofMillis(config.detach_wait_ms()), Duration.ofMillis(config.detach_poll_ms()));
        }
    }

    private final VolumeDrivers drivers;
    private final DiskXmlService disks;
    private volatile Settings settings;
    private final ConcurrentMap<String, ReentrantLock> domainLocks = new ConcurrentHashMap<>();
    private final TestDriverConnection connections = new TestDriverConnection();

    /**
     * @param drivers the driver whiteboard
     * @param disks the disk XML service
     * @param config the configuration
     * @throws InvalidConfigurationException if the configuration is refused; the component does not start
     */
    @Activate
    public VolumeAttacherImpl(@Reference VolumeDrivers drivers, @Reference DiskXmlService disks, LibvirtConfig config)
            throws InvalidConfigurationException {
        this(drivers, disks, Settings.from(config));
        // the configuration is shared with the disk XML service: accepted or refused as a whole
        DiskPolicy.from(config);
    }

    /**
     * Outside a framework.
     *
     * @param drivers the driver registry
     * @param disks the disk XML service
     * @param settings the settings
     */
    public VolumeAttacherImpl(VolumeDrivers drivers, DiskXmlService disks, Settings settings) {
        this.drivers = drivers;
        this.disks = disks;
        this.settings = settings;
    }

    /** @return the settings in force */
    Settings settings() {
        return settings;
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

    @Modified
    void modified(LibvirtConfig config) {
        try {
            Settings next = Settings.from(config);
            DiskPolicy.from(config);
            settings = next;
            LOG.info("libvirt attach settings updated: uri {}", settings.uri());
        } catch (InvalidConfigurationException e) {
            LOG.error("libvirt attach settings refused, the previous ones stay in force: {}", e.getMessage());
        }
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
        // side-effect free first: nothing is mounted for a disk or a target that would be refused
        DiskSpec described = driver.describeDisk(info);
        disks.check(type, withTarget(described, targetDev, targetBus));
        Settings current = settings;
        try (Libvirt libvirt = connections.session(current.uri())) {
            Domain dom = libvirt.domain(domain);
            refuseIfReferenced(dom, domain, described.sourcePath());
            // undo only what this call did: an attachment the driver already counted stays connected
            boolean connectedBefore = isConnected(driver, attachment);
            DiskSpec connected = driver.connect(info, attachment);
            try {
                DiskSpec target = withTarget(connected, targetDev, targetBus);
                DiskSpec effective = disks.check(type, target);
                String xml = disks.diskXml(type, target);
                attachDevice(libvirt, dom, domain, xml, effective, flags(mode));
                LOG.info("attached {} to domain {} as {} ({})", attachment, domain, targetDev, mode);
                return new AttachResult(domain, mode, effective, xml);
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

    /** A second attach of a disk the domain already has would fail in libvirt and must not touch the volume. */
    private static void refuseIfReferenced(Domain dom, String domain, String source) throws VolumeDriverException {
        Optional<DomainXml.Disk> existing = isActive(dom) ? find(dom, 0, source) : Optional.empty();
        if (existing.isEmpty() && isPersistent(dom)) {
            existing = find(dom, XML_INACTIVE, source);
        }
        if (existing.isPresent()) {
            throw new InvalidDiskSpecException("disk.source.path", source,
                    "is already attached to domain " + domain + " as " + existing.get().targetDev());
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

    private static void attachDevice(Libvirt libvirt, Domain dom, String domain, String xml, DiskSpec disk, int flags)
            throws HypervisorException {
        try {
            dom.attachDeviceFlags(xml, flags);
        } catch (LibvirtException e) {
            HypervisorException error = Libvirt.error("attach", e);
            if (!canEditDefinition(dom, flags, error)) {
                throw error;
            }
            String targetDev = disk.targetDev().orElseThrow();
            LOG.info("libvirt does not implement persistent device attach for domain {} (error {}); "
                    + "adding {} to its persistent definition instead", domain, error.errorCode(), targetDev);
            try {
                editDefinition(libvirt, dom, "attach", definition -> DomainXml.withDisk(definition, xml));
                if (find(dom, XML_INACTIVE, disk.sourcePath()).filter(d -> targetDev.equals(d.targetDev())).isEmpty()) {
                    throw new HypervisorException("attach", -1, "the disk is not in the persistent definition after defining it", null);
                }
            } catch (HypervisorException | RuntimeException fallback) {
                fallback.addSuppressed(error);
                throw fallback;
            }
        }
    }

    /**
     * Whether a failed attach or detach may be done by editing the persistent definition instead:
     * only for the persistent part alone ({@code CONFIG}), only on a persistent domain, and only
     * when libvirt says (by number) that its driver does not implement the call — as libvirt's
     * {@code test:///default} driver does. A live change is never imitated.
     */
    private static boolean canEditDefinition(Domain dom, int flags, HypervisorException error) throws HypervisorException {
        return flags == AFFECT_CONFIG && Libvirt.isUnsupported(error.errorCode()) && isPersistent(dom);
    }

    /** One change of a domain definition as text; refused input is an {@link DomainXml.EditException}. */
    private interface DefinitionEdit {
        String apply(String definition) throws DomainXml.EditException;
    }

    /**
     * Reads the persistent definition, changes it and defines it again. The definition is read
     * with {@code VIR_DOMAIN_XML_SECURE}: without it libvirt leaves out secrets such as graphics
     * passwords, and defining that text would drop them from the domain.
     */
    private static void editDefinition(Libvirt libvirt, Domain dom, String operation, DefinitionEdit edit)
            throws HypervisorException {
        String definition;
        try {
            definition = dom.getXMLDesc(XML_INACTIVE | XML_SECURE);
        } catch (LibvirtException e) {
            throw Libvirt.error("read domain XML", e);
        }
        String changed;
        try {
            changed = edit.apply(definition);
        } catch (DomainXml.EditException e) {
            throw new HypervisorException(operation, -1, "the persistent definition cannot be changed: " + e.getMessage(), e);
        }
        libvirt.define(changed);
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
        Settings current = settings;
        boolean live = mode != AttachMode.CONFIG;
        boolean config = mode != AttachMode.LIVE;
        long start = System.nanoTime();
        try (Libvirt libvirt = connections.session(current.uri())) {
            Domain dom = libvirt.domain(domain);
            boolean active = isActive(dom);
            boolean persistent = isPersistent(dom);
            Optional<DomainXml.Disk> inLive = active ? find(dom, 0, source) : Optional.empty();
            Optional<DomainXml.Disk> inConfig = persistent ? find(dom, XML_INACTIVE, source) : Optional.empty();
            int flags = (live && inLive.isPresent() ? AFFECT_LIVE : 0) | (config && inConfig.isPresent() ? AFFECT_CONFIG : 0);
            if (flags != 0) {
                DomainXml.Disk disk = inLive.orElseGet(inConfig::get);
                detachDevice(libvirt, dom, domain, disk, inConfig, source, flags);
                if ((flags & AFFECT_LIVE) != 0 && !waitUntilGone(dom, source, current)) {
                    LOG.warn("detach of {} from domain {}: the guest has not released {} within {} ms; the volume stays connected",
                            attachment, domain, disk.targetDev(), current.detachWait().toMillis());
                    return new DetachResult(domain, DetachOutcome.NOT_RELEASED, Optional.empty(), since(start));
                }
            }
            // the volume goes only when no view of the domain references the disk any more
            boolean stillLive = isActive(dom) && find(dom, 0, source).isPresent();
            boolean stillConfig = persistent && find(dom, XML_INACTIVE, source).isPresent();
            if (stillLive || stillConfig) {
                LOG.info("detach of {} from domain {} ({}): still referenced by the {}; the volume stays connected",
                        attachment, domain, mode, stillLive ? "running guest" : "persistent definition");
                return new DetachResult(domain, DetachOutcome.STILL_REFERENCED, Optional.empty(), since(start));
            }
            DisconnectOutcome outcome = driver.disconnect(info, attachment);
            DetachOutcome detached = flags == 0 ? DetachOutcome.NOT_ATTACHED : DetachOutcome.DETACHED;
            LOG.info("detach of {} from domain {} ({}): {}; volume disconnected ({})", attachment, domain, mode, detached, outcome);
            return new DetachResult(domain, detached, Optional.of(outcome), since(start));
        }
    }

    /** {@code inConfig}: the disk as the persistent definition has it, the one a fallback removes. */
    private static void detachDevice(Libvirt libvirt, Domain dom, String domain, DomainXml.Disk disk,
            Optional<DomainXml.Disk> inConfig, String source, int flags) throws HypervisorException {
        try {
            dom.detachDeviceFlags(DiskXml.writeForDetach(disk), flags);
        } catch (LibvirtException e) {
            HypervisorException error = Libvirt.error("detach", e);
            String targetDev = inConfig.map(DomainXml.Disk::targetDev).orElse(null);
            if (targetDev == null || !canEditDefinition(dom, flags, error)) {
                throw error;
            }
            LOG.info("libvirt does not implement persistent device detach for domain {} (error {}); "
                    + "removing {} from its persistent definition instead", domain, error.errorCode(), targetDev);
            try {
                editDefinition(libvirt, dom, "detach", definition -> DomainXml.withoutDisk(definition, source, targetDev));
                if (find(dom, XML_INACTIVE, source).isPresent()) {
                    throw new HypervisorException("detach", -1, "the disk is still in the persistent definition after defining it without", null);
                }
            } catch (HypervisorException | RuntimeException fallback) {
                fallback.addSuppressed(error);
                throw fallback;
            }
        }
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Polls the live definition; a guest without a driver for the bus never lets go. */
    private static boolean waitUntilGone(Domain dom, String source, Settings settings) throws HypervisorException {
        long deadline = System.nanoTime() + settings.detachWait().toNanos();
        while (true) {
            if (!isActive(dom) || find(dom, 0, source).isEmpty()) {
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

    private static boolean isActive(Domain dom) throws HypervisorException {
        try {
            return dom.isActive() == 1;
        } catch (LibvirtException e) {
            throw Libvirt.error("query domain state", e);
        }
    }

    private static boolean isPersistent(Domain dom) throws HypervisorException {
        try {
            return dom.isPersistent() == 1;
        } catch (LibvirtException e) {
            throw Libvirt.error("query domain persistence", e);
        }
    }

    private static Optional<DomainXml.Disk> find(Domain dom, int xmlFlags, String source) throws HypervisorException {
        String xml;
        try {
            xml = dom.getXMLDesc(xmlFlags);
        } catch (LibvirtException e) {
            throw Libvirt.error("read domain XML", e);
        }
        List<DomainXml.Disk> all;
        try {
            all = DomainXml.disks(xml);
        } catch (XMLStreamException e) {
            throw new HypervisorException("read domain XML", -1, "libvirt returned XML that is refused: " + e.getClass().getSimpleName(), e);
        }
        return all.stream().filter(d -> d.source().filter(source::equals).isPresent()).findFirst();
    }

    private static int flags(AttachMode mode) {
        return switch (mode) {
            case LIVE -> AFFECT_LIVE;
            case CONFIG -> AFFECT_CONFIG;
            case LIVE_AND_CONFIG -> AFFECT_LIVE | AFFECT_CONFIG;
        };
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
