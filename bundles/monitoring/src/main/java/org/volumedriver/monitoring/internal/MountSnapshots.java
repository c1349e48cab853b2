package org.volumedriver.monitoring.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.VolumeDriver;

/**
 * The last answer of each driver's {@link VolumeDriver#mounts()}, which may probe every mount and
 * so may take long or hang on a dead client. A driver is asked at most once per cache period and
 * never on the caller's thread: a caller {@linkplain #request requests} a fresh answer, then
 * {@linkplain #await waits} for it until a deadline and otherwise gets the last one. At most one
 * call per driver is in flight; a call that hangs is not repeated until it returns.
 */
final class MountSnapshots implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MountSnapshots.class);

    /** One answer and when it arrived ({@link #takenNanos} on the clock given to the constructor). */
    record Snapshot(List<MountStatus> mounts, long takenNanos) {
    }

    /** The state of one driver type. */
    private static final class Entry {
        volatile Snapshot last;
        /** The last call; guarded by the entry. */
        CompletableFuture<Snapshot> inFlight;
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final ExecutorService probes;
    private volatile Duration cache;

    /**
     * @param cache how long an answer is served before the driver is asked again
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    MountSnapshots(Duration cache, LongSupplier nanoClock) {
        this.cache = cache;
        this.nanoClock = nanoClock;
        AtomicInteger n = new AtomicInteger();
        this.probes = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "volumedriver-metrics-mounts-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** @param cache the new cache period, applied from the next request */
    void cache(Duration cache) {
        this.cache = cache;
    }

    /**
     * Starts a call of {@code driver.mounts()} unless the last answer is younger than the cache
     * period or a call is in flight.
     *
     * @param type the driver type
     * @param driver the driver serving it now
     */
    void request(String type, VolumeDriver driver) {
        Entry entry = entries.computeIfAbsent(type, t -> new Entry());
        Snapshot last = entry.last;
        if (last != null && nanoClock.getAsLong() - last.takenNanos() < cache.toNanos()) {
            return;
        }
        synchronized (entry) {
            if (entry.inFlight != null && !entry.inFlight.isDone()) {
                return;
            }
            // the future a caller waits for completes after the answer is stored
            entry.inFlight = CompletableFuture.supplyAsync(() -> new Snapshot(List.copyOf(driver.mounts()), nanoClock.getAsLong()), probes)
                    .whenComplete((snapshot, failure) -> {
                        if (snapshot != null) {
                            entry.last = snapshot;
                        } else {
                            LOG.warn("mounts() of driver {} failed, the metrics keep its last answer: {}", type,
                                    String.valueOf(failure.getCause() == null ? failure : failure.getCause()));
                        }
                    });
        }
    }

    /**
     * @param type the driver type
     * @param deadlineNanos until when to wait for a call in flight, on the clock of this instance
     * @return the newest answer there is then, empty when the driver never answered
     */
    Optional<Snapshot> await(String type, long deadlineNanos) {
        Entry entry = entries.get(type);
        if (entry == null) {
            return Optional.empty();
        }
        CompletableFuture<Snapshot> call;
        synchronized (entry) {
            call = entry.inFlight;
        }
        if (call != null && !call.isDone()) {
            long wait = deadlineNanos - nanoClock.getAsLong();
            try {
                if (wait > 0) {
                    call.get(wait, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // served from the last answer; the failure is logged once by the call itself
            }
        }
        return Optional.ofNullable(entry.last);
    }

    /**
     * @param snapshot an answer
     * @return its age now
     */
    Duration age(Snapshot snapshot) {
        return Duration.ofNanos(nanoClock.getAsLong() - snapshot.takenNanos());
    }

    /** @return now, on the clock of this instance */
    long now() {
        return nanoClock.getAsLong();
    }

    /** @param type a driver type that is gone */
    void forget(String type) {
        entries.remove(type);
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
