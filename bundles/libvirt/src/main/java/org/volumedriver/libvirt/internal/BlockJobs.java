package org.volumedriver.libvirt.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.BlockJobFailedException;
import org.volumedriver.libvirt.BlockJobProgress;
import org.volumedriver.spi.HypervisorException;

/**
 * Waits, bounded, for the block job that merges a file out of a disk's chain: looks at it soon,
 * then at twice the last interval up to the poll interval (a short job is seen to end within a
 * few tens of milliseconds, a long one costs a look per poll interval), reports its progress, and
 * aborts it when the bound has passed. Whether the job did what it should is not told by its end
 * (libvirt removes a finished job whether it completed, failed or was cancelled): the caller
 * compares the chain afterwards with the expected one.
 */
final class BlockJobs {

    private static final Logger LOG = LoggerFactory.getLogger(BlockJobs.class);

    /**
     * A running block job as libvirt reports it.
     *
     * @param type libvirt's {@code virDomainBlockJobType}
     * @param cur the work done
     * @param end the work in all
     */
    record State(int type, long cur, long end) {
    }

    /** The job being waited for. */
    interface Job {
        /**
         * @return the job's state, empty once it has ended
         * @throws HypervisorException if libvirt cannot tell
         */
        Optional<State> state() throws HypervisorException;

        /**
         * Aborts the job.
         *
         * @throws HypervisorException if libvirt fails
         */
        void abort() throws HypervisorException;
    }

    /** Waits between two looks; tests replace it. */
    interface Sleeper {
        /**
         * @param millis how long
         * @throws InterruptedException if the thread is interrupted
         */
        void sleep(long millis) throws InterruptedException;
    }

    /** The first interval; each next one doubles, up to the poll interval. */
    static final long FIRST_LOOK_MS = 20;

    private final Duration bound;
    private final Duration poll;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;

    /**
     * @param bound how long the job may run
     * @param poll the longest interval between two looks
     * @param nanoTime the clock
     * @param sleeper the wait between two looks
     */
    BlockJobs(Duration bound, Duration poll, LongSupplier nanoTime, Sleeper sleeper) {
        this.bound = bound;
        this.poll = poll;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    /**
     * @param settings the settings in force
     * @return a wait with the configured bound and interval on the real clock
     */
    static BlockJobs of(LibvirtSettings settings) {
        return new BlockJobs(settings.blockJobs().bound(), settings.blockJobs().poll(), System::nanoTime, Thread::sleep);
    }

    /**
     * Waits until the job has ended.
     *
     * @param job the job
     * @param progress told the progress at each look, or {@code null}
     * @param domain the domain, for the error
     * @param targetDev the disk, for the error
     * @throws BlockJobFailedException if the bound passed (the job is aborted) or the wait was
     *         interrupted (the job is aborted, the thread's interrupt flag set again)
     * @throws HypervisorException if libvirt cannot tell the job's state
     */
    void await(Job job, BlockJobProgress progress, String domain, String targetDev)
            throws BlockJobFailedException, HypervisorException {
        long deadline = nanoTime.getAsLong() + bound.toNanos();
        long interval = Math.min(FIRST_LOOK_MS, poll.toMillis());
        while (true) {
            Optional<State> state = job.state();
            if (state.isEmpty()) {
                return;
            }
            report(progress, state.get());
            long left = deadline - nanoTime.getAsLong();
            if (left <= 0) {
                String aborted = abort(job, domain, targetDev);
                throw new BlockJobFailedException(domain, targetDev, "still running after " + bound.toMillis()
                        + " ms (block.job.wait.ms) at " + state.get().cur() + " of " + state.get().end() + "; " + aborted, true);
            }
            try {
                sleeper.sleep(Math.max(1, Math.min(interval, left / 1_000_000)));
                interval = Math.min(poll.toMillis(), interval * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                String aborted = abort(job, domain, targetDev);
                throw new BlockJobFailedException(domain, targetDev, "the wait was interrupted; " + aborted, false);
            }
        }
    }

    private static void report(BlockJobProgress progress, State state) {
        if (progress == null) {
            return;
        }
        try {
            progress.progress(state.cur(), state.end());
        } catch (RuntimeException e) {
            LOG.warn("a block job progress callback failed: {}", e.toString());
        }
    }

    /** @return what became of the job, for the message */
    private static String abort(Job job, String domain, String targetDev) {
        try {
            job.abort();
            return "aborted";
        } catch (HypervisorException e) {
            LOG.error("aborting the block job on domain {} disk {} failed: {}", domain, targetDev, e.getMessage());
            return "the abort failed too (libvirt error " + e.errorCode() + ")";
        }
    }
}
