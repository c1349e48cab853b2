package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.LimitExceededException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;

/**
 * Who may work on a mount directory, and how many mounts and unmounts may run at once (E1, E8).
 *
 * <p>A directory's lease is its lock in this process plus an exclusive lock on its lock file under
 * the state directory, so different exports proceed in parallel and two agents on one host cannot
 * race. Operation permits bound the mount and unmount commands running at once.
 */
final class DirectoryLocks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryLocks.class);

    private final Path stateDir;
    private final Duration lockTimeout;
    private final Duration operationQueueTimeout;
    private final int maxOperations;
    private final Counters counters;
    private final ConcurrentHashMap<Path, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Path, FileChannel> lockChannels = new ConcurrentHashMap<>();
    private final Semaphore operations;
    private final ReentrantLock globalLock = new ReentrantLock();
    private volatile boolean singleGlobalLock;

    /**
     * @param stateDir where the lock files live
     * @param lockTimeout how long {@link #lock} waits
     * @param maxOperations how many mounts and unmounts may run at once
     * @param operationQueueTimeout how long {@link #acquireOperation} waits; zero: not at all
     * @param counters where timeouts and refusals are counted
     */
    DirectoryLocks(Path stateDir, Duration lockTimeout, int maxOperations, Duration operationQueueTimeout,
            Counters counters) {
        this.stateDir = stateDir;
        this.lockTimeout = lockTimeout;
        this.maxOperations = maxOperations;
        this.operationQueueTimeout = operationQueueTimeout;
        this.counters = counters;
        this.operations = new Semaphore(maxOperations, true);
    }

    /**
     * Benchmark baseline only: one lock for every export, as the original driver had.
     *
     * @param value whether to use the single lock
     */
    void useSingleGlobalLock(boolean value) {
        singleGlobalLock = value;
    }

    /** @return whether the benchmark baseline's single lock is in use */
    boolean singleGlobalLock() {
        return singleGlobalLock;
    }

    /** Holds a mount directory's locks. */
    final class Lease implements AutoCloseable {
        private final ReentrantLock lock;
        private final FileLock fileLock;

        private Lease(ReentrantLock lock, FileLock fileLock) {
            this.lock = lock;
            this.fileLock = fileLock;
        }

        @Override
        public void close() {
            try {
                fileLock.release();
            } catch (IOException e) {
                LOG.warn("could not release a lock file ({})", e.getClass().getSimpleName());
            } finally {
                lock.unlock();
            }
        }
    }

    /** A slot for a mount or unmount. */
    @FunctionalInterface
    interface Permit {
        void release();
    }

    private ReentrantLock lockFor(Path dir) {
        return singleGlobalLock ? globalLock : locks.computeIfAbsent(dir, d -> new ReentrantLock());
    }

    /** @return whether the calling thread holds the directory's lock in this process */
    boolean isHeldByCurrentThread(Path dir) {
        return lockFor(dir).isHeldByCurrentThread();
    }

    /**
     * Waits for a directory's lease, at most {@code lock.timeout.ms}.
     *
     * @param dir the mount directory
     * @return the lease
     * @throws VolumeDriverException LOCK_TIMEOUT, or an unusable lock file
     */
    Lease lock(Path dir) throws VolumeDriverException {
        ReentrantLock lock = lockFor(dir);
        long deadline = System.nanoTime() + lockTimeout.toNanos();
        try {
            if (!lock.tryLock(lockTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw lockTimeout(dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VolumeDriverException("INTERRUPTED", "interrupted while waiting for the lock of " + dir);
        }
        try {
            Lease lease = fileLock(dir, lock, deadline);
            if (lease == null) {
                throw lockTimeout(dir);
            }
            return lease;
        } catch (VolumeDriverException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    /**
     * @param dir the mount directory
     * @return its lease if it is free now, otherwise {@code null}
     */
    Lease tryLockNow(Path dir) {
        ReentrantLock lock = lockFor(dir);
        if (!lock.tryLock()) {
            return null;
        }
        try {
            Lease lease = fileLock(dir, lock, System.nanoTime());
            if (lease == null) {
                lock.unlock();
            }
            return lease;
        } catch (VolumeDriverException | RuntimeException e) {
            lock.unlock();
            return null;
        }
    }

    /**
     * Takes the cross-process lock file of a mount directory, retrying until the deadline. The
     * channel stays open while this object lives: closing any descriptor of a file drops every
     * POSIX lock this process holds on it.
     */
    private Lease fileLock(Path dir, ReentrantLock lock, long deadline) throws VolumeDriverException {
        Path lockFile = stateDir.resolve(dir.getFileName() + ".lock");
        FileChannel ch = lockChannels.get(lockFile);
        if (ch == null || !ch.isOpen()) {
            try {
                ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new UnsafePathException(lockFile.toString(), "lock file cannot be opened (" + e.getClass().getSimpleName() + ")");
            }
            lockChannels.put(lockFile, ch); // only the holder of the directory lock gets here
        }
        while (true) {
            try {
                FileLock fl = ch.tryLock();
                if (fl != null) {
                    return new Lease(lock, fl);
                }
            } catch (OverlappingFileLockException e) {
                // another engine in this JVM (during a reconfiguration) holds it: wait like for another process
            } catch (IOException e) {
                throw new UnsafePathException(lockFile.toString(), "lock file cannot be locked (" + e.getClass().getSimpleName() + ")");
            }
            if (System.nanoTime() >= deadline) {
                return null;
            }
            sleep(5);
        }
    }

    private VolumeDriverException lockTimeout(Path dir) {
        counters.increment("lock.timeouts");
        return new VolumeDriverException("LOCK_TIMEOUT", "mount directory " + dir + " stayed locked for "
                + lockTimeout.toMillis() + " ms");
    }

    /**
     * @return a permit for a mount or unmount, waiting at most {@code operation.queue.timeout.ms}
     * @throws LimitExceededException if none became free
     */
    Permit acquireOperation() throws LimitExceededException {
        boolean got;
        try {
            long wait = operationQueueTimeout.toMillis();
            got = wait == 0 ? operations.tryAcquire() : operations.tryAcquire(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) {
            counters.increment("limit.operations");
            throw new LimitExceededException("max.concurrent.operations", maxOperations);
        }
        return operations::release;
    }

    /** @return a permit for background work (the watchdog) taken without waiting, or {@code null} */
    Permit tryOperationNow() {
        if (!operations.tryAcquire()) {
            counters.increment("limit.operations");
            return null;
        }
        return operations::release;
    }

    /**
     * @param dir a mount directory
     * @return whether threads of this process wait for its lock (for interleaving tests)
     */
    boolean hasWaiters(Path dir) {
        ReentrantLock l = locks.get(dir);
        return l != null && l.hasQueuedThreads();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the lock files, which drops their locks. */
    @Override
    public void close() {
        for (FileChannel ch : lockChannels.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing only
            }
        }
        lockChannels.clear();
    }
}
