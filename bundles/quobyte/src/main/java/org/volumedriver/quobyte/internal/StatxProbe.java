package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * The real probe: {@code statx(2)} of the mount root through JNA, with the errno read as a number,
 * run on a worker thread so that a hung FUSE server blocks only that worker. A directory whose
 * previous probe is still blocked is reported STALE at once, without starting another, until
 * {@link #forget(Path)} says that mount is gone: the blocked worker is then left to the kernel and
 * the next probe (of a new mount there) runs fresh.
 *
 * <p>Workers are created on demand and end after 30 s idle; a blocked one holds a thread until the
 * kernel answers (for a SIGSTOPped FUSE server: until it is continued or killed, or the connection is
 * aborted, which a heal of a hung client does, D5: the worker then returns at once and the pool
 * shrinks back). So a hung mount costs one worker, never more, and does not slow probes of other
 * directories. Only when {@link #DEFAULT_MAX_WORKERS} (or the configured cap) workers are busy at
 * once is a probe refused with ERROR ("probe worker cap reached") instead of creating yet another
 * thread.
 */
public final class StatxProbe implements HealthProbe {

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    // bypass cached attributes: the answer must come from the FUSE server now
    private static final int AT_STATX_FORCE_SYNC = 0x2000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STX_SIZE_OFFSET = 40;
    // answer from what the kernel has: no request reaches the FUSE server
    private static final int AT_STATX_DONT_SYNC = 0x4000;
    private static final int STATX_MNT_ID_UNIQUE = 0x4000;
    private static final int STX_MNT_ID_OFFSET = 0x90;

    /** The libc binding, mapped directly: JNA's shortest call path, since every connect makes two of these calls. */
    private static final class LibC {
        static {
            Native.register(LibC.class, "c");
        }

        private LibC() {
        }

        static native int statx(int dirfd, String path, int flags, int mask, byte[] buffer) throws LastErrorException;
    }

    /** The default cap on probe workers (blocked ones included). */
    public static final int DEFAULT_MAX_WORKERS = 64;

    private final ThreadPoolExecutor workers;
    private final int maxWorkers;
    private final Function<Path, ProbeResult> stat;
    private final ConcurrentHashMap<Path, Future<ProbeResult>> inFlight = new ConcurrentHashMap<>();
    // probes of mounts that are gone but whose stat has not returned yet: they still hold a worker
    private final Set<Future<ProbeResult>> abandoned = ConcurrentHashMap.newKeySet();

    /** A probe with {@link #DEFAULT_MAX_WORKERS} workers at most. */
    public StatxProbe() {
        this(DEFAULT_MAX_WORKERS);
    }

    /** @param maxWorkers how many probes may run or hang at the same time before probes are refused */
    public StatxProbe(int maxWorkers) {
        this(maxWorkers, StatxProbe::statNow);
    }

    /** For tests: the stat call is given (e.g. one that blocks like a hung FUSE server). */
    StatxProbe(int maxWorkers, Function<Path, ProbeResult> stat) {
        this(maxWorkers, stat, Duration.ofSeconds(30));
    }

    /** For tests: idle workers end after {@code keepAlive}, so that the pool's shrinking can be watched. */
    StatxProbe(int maxWorkers, Function<Path, ProbeResult> stat, Duration keepAlive) {
        this.maxWorkers = maxWorkers;
        this.stat = stat;
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(0, maxWorkers, keepAlive.toMillis(), TimeUnit.MILLISECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "quobyte-probe-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * One synchronous statx, on the calling thread.
     *
     * @param path the path
     * @return the verdict
     */
    public static ProbeResult statNow(Path path) {
        byte[] buf = new byte[256];
        try {
            LibC.statx(AT_FDCWD, path.toString(), AT_SYMLINK_NOFOLLOW | AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, buf);
        } catch (LastErrorException e) {
            return ProbeResult.ofErrno(e.getErrorCode());
        }
        // little-endian hosts (x86-64, aarch64)
        return ProbeResult.ofSize(littleEndian(buf, STX_SIZE_OFFSET, 8));
    }

    /**
     * The kernel's unique id of the mount at a path (Linux 6.8 and later), which, unlike the mount
     * table's mount id and device number, is never given to another mount while the host runs.
     * Asked with {@code AT_STATX_DONT_SYNC}: the answer comes from the VFS without a request to the
     * FUSE server, so it returns at once on a hung client too.
     *
     * @param path a mount point
     * @return the id, or empty on an older kernel or when the path cannot be looked up
     */
    public static OptionalLong uniqueMountId(Path path) {
        byte[] buf = new byte[256];
        try {
            LibC.statx(AT_FDCWD, path.toString(), AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_MNT_ID_UNIQUE, buf);
        } catch (LastErrorException e) {
            return OptionalLong.empty();
        }
        if ((littleEndian(buf, 0, 4) & STATX_MNT_ID_UNIQUE) == 0) {
            return OptionalLong.empty(); // the kernel knows no unique mount ids
        }
        return OptionalLong.of(littleEndian(buf, STX_MNT_ID_OFFSET, 8));
    }

    private static long littleEndian(byte[] buf, int offset, int bytes) {
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = (v << 8) | (buf[offset + i] & 0xff);
        }
        return v;
    }

    @Override
    public ProbeResult probe(Path mountRoot, Duration timeout) {
        Future<ProbeResult> previous = inFlight.get(mountRoot);
        if (previous != null && !previous.isDone()) {
            return new ProbeResult(ProbeResult.Verdict.STALE, 0, true, -1, "an earlier probe of this mount is still blocked");
        }
        Future<ProbeResult> f;
        try {
            f = workers.submit(() -> stat.apply(mountRoot));
        } catch (RejectedExecutionException e) {
            return new ProbeResult(ProbeResult.Verdict.ERROR, 0, false, -1, "probe worker cap reached (" + maxWorkers + " busy or blocked)");
        }
        inFlight.put(mountRoot, f);
        try {
            ProbeResult r = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            inFlight.remove(mountRoot, f);
            return r;
        } catch (TimeoutException e) {
            return ProbeResult.timeout(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProbeResult(ProbeResult.Verdict.ERROR, 0, false, -1, "interrupted");
        } catch (ExecutionException e) {
            inFlight.remove(mountRoot, f);
            return new ProbeResult(ProbeResult.Verdict.ERROR, 0, false, -1, "probe failed: " + e.getCause().getClass().getSimpleName());
        }
    }

    @Override
    public void forget(Path mountRoot) {
        abandoned.removeIf(Future::isDone);
        Future<ProbeResult> f = inFlight.remove(mountRoot);
        if (f != null && !f.isDone()) {
            abandoned.add(f);
        }
    }

    /** @return how many probes are still blocked in the kernel (those of forgotten mounts included) */
    public int blocked() {
        inFlight.values().removeIf(Future::isDone);
        abandoned.removeIf(Future::isDone);
        return inFlight.size() + abandoned.size();
    }

    /** @return how many probe workers exist now (blocked ones included) */
    public int workerCount() {
        return workers.getPoolSize();
    }

    @Override
    public void close() {
        // blocked workers are daemons; they end when the kernel answers
        workers.shutdownNow();
    }
}
