package org.volumedriver.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.volumedriver.libvirt.BlockJobFailedException;
import org.volumedriver.spi.HypervisorException;

/** The bounded wait for a block job, on a clock the test moves. */
class BlockJobsTest {

    private final AtomicLong now = new AtomicLong();
    private final List<Long> sleeps = new ArrayList<>();
    private final BlockJobs jobs = new BlockJobs(Duration.ofSeconds(10), Duration.ofMillis(500), now::get, millis -> {
        sleeps.add(millis);
        now.addAndGet(millis * 1_000_000);
    });

    /** A job that runs for a number of looks, then has ended. */
    static final class ScriptedJob implements BlockJobs.Job {
        final AtomicInteger looks = new AtomicInteger();
        final int endsAfter;
        boolean aborted;
        boolean abortFails;

        ScriptedJob(int endsAfter) {
            this.endsAfter = endsAfter;
        }

        @Override
        public Optional<BlockJobs.State> state() {
            int look = looks.incrementAndGet();
            return look > endsAfter ? Optional.empty() : Optional.of(new BlockJobs.State(3, look * 10L, 100));
        }

        @Override
        public void abort() throws HypervisorException {
            aborted = true;
            if (abortFails) {
                throw new HypervisorException("abort block job", 55, "no", null);
            }
        }
    }

    @Test
    void waitsUntilTheJobHasEndedAndReportsItsProgress() throws Exception {
        ScriptedJob job = new ScriptedJob(3);
        List<String> progress = new ArrayList<>();
        jobs.await(job, (cur, end) -> progress.add(cur + "/" + end), "d", "vdb");
        assertEquals(List.of("10/100", "20/100", "30/100"), progress);
        assertEquals(List.of(20L, 40L, 80L), sleeps);
        assertFalse(job.aborted);
    }

    /** A short job is seen to end soon after it does; a long one is looked at once per poll interval. */
    @Test
    void theIntervalStartsShortAndDoublesUpToThePollInterval() throws Exception {
        record Case(long pollMillis, int looks, List<Long> sleeps) {
        }
        for (Case c : List.of(
                new Case(500, 8, List.of(20L, 40L, 80L, 160L, 320L, 500L, 500L, 500L)),
                new Case(100, 5, List.of(20L, 40L, 80L, 100L, 100L)),
                new Case(10, 3, List.of(10L, 10L, 10L)),
                new Case(30, 3, List.of(20L, 30L, 30L)))) {
            List<Long> slept = new ArrayList<>();
            BlockJobs waits = new BlockJobs(Duration.ofSeconds(60), Duration.ofMillis(c.pollMillis()), now::get, millis -> {
                slept.add(millis);
                now.addAndGet(millis * 1_000_000);
            });
            waits.await(new ScriptedJob(c.looks()), null, "d", "vdb");
            assertEquals(c.sleeps(), slept, "poll " + c.pollMillis() + " ms");
        }
    }

    @Test
    void aJobStillRunningAtTheBoundIsAbortedAndFails() {
        ScriptedJob job = new ScriptedJob(Integer.MAX_VALUE);
        BlockJobFailedException e = assertThrows(BlockJobFailedException.class, () -> jobs.await(job, null, "d", "vdb"));
        assertTrue(e.timedOut());
        assertTrue(job.aborted);
        assertEquals("BLOCK_JOB_FAILED", e.code());
        assertTrue(e.getMessage().contains("10000 ms (block.job.wait.ms)") && e.getMessage().contains("aborted"), e.getMessage());
        assertEquals(10_000L, sleeps.stream().mapToLong(Long::longValue).sum(), "the wait is bounded by the clock");
    }

    @Test
    void aFailedAbortIsSaid() {
        ScriptedJob job = new ScriptedJob(Integer.MAX_VALUE);
        job.abortFails = true;
        BlockJobFailedException e = assertThrows(BlockJobFailedException.class, () -> jobs.await(job, null, "d", "vdb"));
        assertTrue(e.getMessage().contains("the abort failed too (libvirt error 55)"), e.getMessage());
    }

    @Test
    void aThrowingProgressCallbackDoesNotStopTheJob() throws Exception {
        ScriptedJob job = new ScriptedJob(2);
        jobs.await(job, (cur, end) -> {
            throw new IllegalStateException("console gone");
        }, "d", "vdb");
        assertEquals(3, job.looks.get());
        assertFalse(job.aborted);
    }

    @Test
    void anInterruptedWaitAbortsTheJob() {
        BlockJobs interrupted = new BlockJobs(Duration.ofSeconds(10), Duration.ofMillis(500), now::get, millis -> {
            throw new InterruptedException();
        });
        ScriptedJob job = new ScriptedJob(5);
        BlockJobFailedException e = assertThrows(BlockJobFailedException.class, () -> interrupted.await(job, null, "d", "vdb"));
        assertFalse(e.timedOut());
        assertTrue(job.aborted);
        assertTrue(Thread.interrupted(), "the interrupt flag is set again");
    }
}
