package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.exec.CommandExecutor;
import org.volumedriver.quobyte.HealReport;
import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.QuobyteMount;
import org.volumedriver.quobyte.SystemdDecision;
import org.volumedriver.quobyte.ValidatedVolume;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DisconnectOutcome;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.GuestUsage;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeLocation;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The Quobyte {@link VolumeDriver} as a Declarative Services component. A configuration change is
 * checked completely first; a bad one is refused with a log line and the running configuration
 * stays. A good one replaces the engine, which recovers the attachments from the journal.
 *
 * <p>The hypervisor's {@link GuestUsage} is an optional, dynamic reference: while it is there,
 * every unmount nobody forced first asks it which guests use the mount (F6); without it (no
 * libvirt bundle) mounts are unmounted as before. Event Admin and a Micrometer MeterRegistry are
 * optional and dynamic too: while bound, the driver posts its events and records its timers
 * ({@link Telemetry}); they may come, go or be replaced without restarting the driver.
 */
@Component(service = VolumeDriver.class, configurationPid = QuobyteConfig.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = VolumeDriver.TYPE_PROPERTY + "=" + QuobyteAdmin.DRIVER_TYPE)
@Designate(ocd = QuobyteConfig.class)
public final class QuobyteVolumeDriver implements VolumeDriver {

    private static final Logger LOG = LoggerFactory.getLogger(QuobyteVolumeDriver.class);

    private final CommandExecutor executor;
    private final ReentrantReadWriteLock swap = new ReentrantReadWriteLock();
    private final AtomicReference<GuestUsage> guestUsage = new AtomicReference<>();
    private final Telemetry telemetry = new Telemetry();
    private volatile Running running;

    private record Running(QuobyteEngine engine, HealthProbe probe, ScheduledExecutorService watchdog) {
    }

    /**
     * @param executor the command executor
     * @param config the configuration
     * @throws VolumeDriverException if the configuration or the mount base is unsafe: the driver
     *         does not start
     */
    @Activate
    public QuobyteVolumeDriver(@Reference CommandExecutor executor, QuobyteConfig config) throws VolumeDriverException {
        this.executor = Objects.requireNonNull(executor, "executor");
        try {
            running = start(Settings.from(config));
        } catch (VolumeDriverException e) {
            LOG.error("Quobyte driver not started: {}", e.getMessage());
            throw e;
        }
    }

    private Running start(Settings settings) throws VolumeDriverException {
        checkAllowlist(settings);
        SystemdDecision decision = SystemdDetector.decide(settings.systemdMode, SystemdDetector.RUN_SYSTEMD, executor);
        LOG.info("systemd scopes {}: {}", decision.useScope() ? "used" : "not used", decision.reason());
        StatxProbe probe = new StatxProbe();
        QuobyteEngine engine = new QuobyteEngine(settings, executor, new MountTable.Proc(), probe, decision, MountLayout.currentUid(),
                telemetry);
        engine.guestUsage(guestUsage::get);
        try {
            engine.start();
        } catch (VolumeDriverException | RuntimeException e) {
            probe.close();
            throw e;
        }
        ScheduledExecutorService watchdog = null;
        if (settings.watchdogEnabled) {
            watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "quobyte-watchdog");
                t.setDaemon(true);
                return t;
            });
            long every = settings.watchdogInterval.toSeconds();
            ScheduledFuture<?> ignored = watchdog.scheduleWithFixedDelay(() -> {
                try {
                    engine.watchdogScan();
                } catch (RuntimeException e) {
                    LOG.error("watchdog scan failed", e);
                }
            }, every, every, TimeUnit.SECONDS);
        }
        LOG.info("Quobyte driver started: {}", settings.describe());
        return new Running(engine, probe, watchdog);
    }

    /** Says early, once, if the executor cannot run the commands this driver needs (they would be refused later). */
    private void checkAllowlist(Settings settings) {
        List<org.volumedriver.exec.CommandDefinition> allowlist = executor.allowlist();
        for (String name : List.of(settings.mountCommand, settings.umountCommand, CommandFuseControl.MOUNT_COMMAND,
                CommandFuseControl.ABORT_COMMAND)) {
            var def = allowlist.stream().filter(d -> d.name().equals(name)).findFirst();
            if (def.isEmpty()) {
                LOG.warn("the executor's allowlist has no command {}: {}", name, name.equals(settings.mountCommand)
                        || name.equals(settings.umountCommand) ? "mounts will be refused" : "hung clients cannot be aborted");
            } else if (!def.get().usable()) {
                LOG.warn("the executor's command {} is not usable: {}", name, def.get().problem());
            }
        }
    }

    private static void stop(Running r) {
        if (r.watchdog() != null) {
            r.watchdog().shutdownNow();
        }
        r.engine().close();
        r.probe().close();
    }

    /**
     * Applies a configuration change, or refuses it and keeps the running one.
     *
     * @param config the new configuration
     */
    @Modified
    void modified(QuobyteConfig config) {
        Settings next;
        try {
            next = Settings.from(config);
        } catch (VolumeDriverException e) {
            LOG.error("Quobyte configuration change refused, the previous configuration stays: {}", e.getMessage());
            return;
        }
        swap.writeLock().lock();
        try {
            Running old = running;
            if (!old.engine().settings().mountBase().equals(next.mountBase()) && old.engine().attachmentCount() > 0) {
                LOG.error("Quobyte configuration change refused, the previous configuration stays: "
                        + "mount.base cannot change while {} attachment(s) exist", old.engine().attachmentCount());
                return;
            }
            old.engine().close();
            try {
                running = start(next);
            } catch (VolumeDriverException | RuntimeException e) {
                LOG.error("Quobyte configuration change refused, the previous configuration stays: {}", e.getMessage());
                return;
            }
            if (old.watchdog() != null) {
                old.watchdog().shutdownNow();
            }
            old.probe().close();
        } finally {
            swap.writeLock().unlock();
        }
    }

    /** Stops the watchdog and flushes the journal. */
    @Deactivate
    void deactivate() {
        swap.writeLock().lock();
        try {
            stop(running);
        } finally {
            swap.writeLock().unlock();
        }
    }

    private QuobyteEngine engine() {
        return running.engine();
    }

    /**
     * The hypervisor's answer to "which guests use this mount?" came (or a better ranked one replaced it).
     *
     * @param usage the service
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindGuestUsage")
    public void bindGuestUsage(GuestUsage usage) {
        guestUsage.set(usage);
        LOG.info("unmounts ask the hypervisor first which guests use a mount");
    }

    /**
     * The service went away: unless another one replaced it, unmounts go ahead as without a hypervisor.
     *
     * @param usage the service that went away
     */
    public void unbindGuestUsage(GuestUsage usage) {
        if (guestUsage.compareAndSet(usage, null)) {
            LOG.info("no hypervisor guest-usage service any more: unmounts no longer ask which guests use a mount");
        }
    }

    /** @param eventAdmin where the driver's events go from now on */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindEventAdmin")
    public void bindEventAdmin(EventAdmin eventAdmin) {
        telemetry.bindEventAdmin(eventAdmin);
    }

    /** @param eventAdmin the Event Admin going away */
    public void unbindEventAdmin(EventAdmin eventAdmin) {
        telemetry.unbindEventAdmin(eventAdmin);
    }

    /** @param registry where the driver's timers go from now on */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindMeterRegistry")
    public void bindMeterRegistry(MeterRegistry registry) {
        telemetry.bindMeterRegistry(registry);
    }

    /** @param registry the registry going away */
    public void unbindMeterRegistry(MeterRegistry registry) {
        telemetry.unbindMeterRegistry(registry);
    }

    @Override
    public String type() {
        return QuobyteAdmin.DRIVER_TYPE;
    }

    @Override
    public void validate(ConnectionInfo info) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            engine().validate(info);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public DiskSpec connect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().connect(info, attachment);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public DisconnectOutcome disconnect(ConnectionInfo info, Attachment attachment) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().disconnect(info, attachment);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public DiskSpec describeDisk(ConnectionInfo info) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().describeDisk(info);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public boolean isAttached(Attachment attachment) {
        swap.readLock().lock();
        try {
            return engine().isAttached(attachment);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public List<MountStatus> mounts() {
        swap.readLock().lock();
        try {
            return engine().mounts();
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public MountStatus heal(String mountDirectory, boolean force) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().heal(mountDirectory, force);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public Optional<VolumeLocation> ownerOf(Path source) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().ownerOf(source);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public boolean adopt(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().adopt(where, attachment);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public DisconnectOutcome release(VolumeLocation where, Attachment attachment) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().release(where, attachment);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public VolumeImage inspectImage(ConnectionInfo info, String file) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().inspectImage(info, file);
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public boolean follow(VolumeLocation from, String toVolume, Attachment attachment) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().follow(from, toVolume, attachment);
        } finally {
            swap.readLock().unlock();
        }
    }

    /**
     * @param mountDirectory the mount directory
     * @param force heal even with attachments
     * @return the status afterwards and each step
     * @throws VolumeDriverException the typed failure
     */
    HealReport healReport(String mountDirectory, boolean force) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().healReport(mountDirectory, force);
        } finally {
            swap.readLock().unlock();
        }
    }

    /** @return the mounts with their FUSE connections */
    List<QuobyteMount> mountDetails() {
        swap.readLock().lock();
        try {
            return engine().mountDetails();
        } finally {
            swap.readLock().unlock();
        }
    }

    @Override
    public Map<String, Long> counters() {
        return engine().counterSnapshot();
    }

    /** @return the systemd decision in force */
    SystemdDecision systemdDecision() {
        return engine().systemdDecision();
    }

    /**
     * @param info connection info
     * @return where the volume would be mounted
     * @throws VolumeDriverException the typed reason it would be refused
     */
    ValidatedVolume check(ConnectionInfo info) throws VolumeDriverException {
        swap.readLock().lock();
        try {
            return engine().validate(info);
        } finally {
            swap.readLock().unlock();
        }
    }

    /** @return the configuration in force */
    Map<String, String> configuration() {
        return engine().settings().describe();
    }

    /** @return the running engine, for tests in this package */
    QuobyteEngine currentEngine() {
        return engine();
    }
}
