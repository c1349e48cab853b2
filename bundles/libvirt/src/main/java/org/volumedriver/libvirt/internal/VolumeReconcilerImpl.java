package org.volumedriver.libvirt.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileReport;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.libvirt.VolumeReconciler;
import org.volumedriver.libvirt.internal.Reconciliation.Drift;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDrivers;

/**
 * The reconciler component: runs a {@link Reconciliation} on demand, shortly after a volume driver
 * comes up (its records are then those it recovered from its journal), and every
 * {@code reconcile.interval.minutes}. One at a time; between runs it remembers the drift found, so
 * that a release needs two reconciliations in a row to agree. Immediate: its schedule runs whether
 * or not anyone holds the service.
 */
@Component(service = VolumeReconciler.class, immediate = true)
public class VolumeReconcilerImpl implements VolumeReconciler {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeReconcilerImpl.class);

    /** Drivers that come up together (the feature starts them at once) get one reconciliation. */
    static final Duration START_DELAY = Duration.ofSeconds(3);
    /** How often the interval is looked at, so that a changed interval applies without a restart. */
    static final Duration TICK = Duration.ofMinutes(1);

    private final VolumeDrivers drivers;
    private final LibvirtSessions sessions;
    private final Telemetry telemetry;
    private final Duration startDelay;
    private final ReentrantLock oneAtATime = new ReentrantLock();
    private final ScheduledExecutorService scheduler;
    private ScheduledFuture<?> pendingStart;
    private volatile Instant lastRun = Instant.now();
    private Set<Drift> lastDrift = Set.of();

    /**
     * @param drivers the driver whiteboard
     * @param sessions libvirt sessions on the settings in force
     * @param telemetry where drift is posted
     */
    @Activate
    public VolumeReconcilerImpl(@Reference VolumeDrivers drivers, @Reference LibvirtSessions sessions, @Reference Telemetry telemetry) {
        this(drivers, sessions, START_DELAY, TICK, telemetry);
    }

    /**
     * Outside a framework: no events.
     *
     * @param drivers the driver whiteboard
     * @param sessions libvirt sessions on the settings in force
     */
    public VolumeReconcilerImpl(VolumeDrivers drivers, LibvirtSessions sessions) {
        this(drivers, sessions, START_DELAY, TICK, new Telemetry());
    }

    /**
     * @param drivers the drivers
     * @param sessions libvirt sessions
     * @param startDelay how long after a driver comes up it reconciles
     * @param tick how often the interval is looked at
     */
    VolumeReconcilerImpl(VolumeDrivers drivers, LibvirtSessions sessions, Duration startDelay, Duration tick) {
        this(drivers, sessions, startDelay, tick, new Telemetry());
    }

    /**
     * @param drivers the drivers
     * @param sessions libvirt sessions
     * @param startDelay how long after a driver comes up it reconciles
     * @param tick how often the interval is looked at
     * @param telemetry where drift is posted
     */
    VolumeReconcilerImpl(VolumeDrivers drivers, LibvirtSessions sessions, Duration startDelay, Duration tick, Telemetry telemetry) {
        this.drivers = Objects.requireNonNull(drivers, "drivers");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.startDelay = startDelay;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "volumedriver-reconcile");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::onTick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A driver came up (bundle start, update, reconfiguration): reconcile soon, once for drivers
     * that come together.
     *
     * @param driver the driver service
     * @param properties its service properties
     */
    @Reference(service = VolumeDriver.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "driverGone")
    synchronized void driverCame(VolumeDriver driver, Map<String, Object> properties) {
        if (!sessions.settings().reconcile().atStart() || scheduler.isShutdown()) {
            return;
        }
        if (pendingStart == null || pendingStart.isDone()) {
            pendingStart = scheduler.schedule(() -> runLogged("a volume driver came up"), startDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @param driver the driver service that went away
     * @param properties its service properties
     */
    void driverGone(VolumeDriver driver, Map<String, Object> properties) {
        // nothing to do: the next reconciliation simply does not see it
    }

    private void onTick() {
        Duration interval = sessions.settings().reconcile().interval();
        if (!interval.isZero() && !Instant.now().isBefore(lastRun.plus(interval))) {
            runLogged("every " + interval.toMinutes() + " minutes");
        }
    }

    private void runLogged(String why) {
        try {
            reconcile(false, why);
        } catch (RuntimeException e) {
            LOG.error("reconciliation ({}) failed: {}", why, e.toString());
        }
    }

    @Override
    public ReconcileReport reconcile(boolean dryRun) {
        return reconcile(dryRun, dryRun ? "requested, dry run" : "requested");
    }

    private ReconcileReport reconcile(boolean dryRun, String why) {
        oneAtATime.lock();
        try {
            Instant started = Instant.now();
            long start = System.nanoTime();
            boolean release = sessions.settings().reconcile().releaseOrphans();
            Reconciliation run = new Reconciliation(drivers, this::scan, dryRun, release, lastDrift);
            ReconcileReport report;
            if (!dryRun) {
                // an unreachable libvirt is tried again at the next interval, not at every tick
                lastRun = started;
            }
            try {
                Reconciliation.Result result = run.run();
                if (!dryRun) {
                    lastDrift = Set.copyOf(result.drift());
                }
                report = new ReconcileReport(dryRun, release, true, "", result.domains(), result.rows(), started, since(start));
            } catch (HypervisorException e) {
                report = new ReconcileReport(dryRun, release, false, Redactor.redactText(e.getMessage()), 0, List.of(), started, since(start));
            }
            log(report, why);
            if (!dryRun) {
                // a dry run decides nothing: only a real run's drift is news
                report.rows().forEach(telemetry::reconciled);
            }
            return report;
        } finally {
            oneAtATime.unlock();
        }
    }

    private List<DomainScan.ScannedDomain> scan() throws HypervisorException {
        try (Libvirt libvirt = sessions.open()) {
            return DomainScan.scan(libvirt);
        }
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void log(ReconcileReport report, String why) {
        if (!report.libvirtReachable()) {
            LOG.warn("reconciliation ({}): libvirt unreachable, nothing changed: {}", why, report.error());
            return;
        }
        LOG.info("reconciliation ({}){}: {} domains, {} adopted, {} drift kept, {} drift released, {} untouched, {} rejected, {} failed in {} ms",
                why, report.dryRun() ? " changed nothing" : "", report.domains(), report.count(ReconcileAction.ADOPTED),
                report.count(ReconcileAction.DRIFT_KEPT), report.count(ReconcileAction.DRIFT_RELEASED),
                report.count(ReconcileAction.UNTOUCHED), report.count(ReconcileAction.REJECTED), report.count(ReconcileAction.FAILED),
                report.took().toMillis());
        for (ReconcileRow row : report.rows()) {
            if (row.action() != ReconcileAction.UNTOUCHED) {
                LOG.info("reconciliation: {} {} {} domain {} ({}) instance {}: {}", row.action(), row.driver(), row.source(),
                        row.domainName(), row.domainUuid(), row.instance(), row.reason());
            }
        }
    }

    /** Stops the schedule; a reconciliation under way ends first. */
    @Deactivate
    public void deactivate() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("a reconciliation still runs after 30 s while the reconciler stops");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
