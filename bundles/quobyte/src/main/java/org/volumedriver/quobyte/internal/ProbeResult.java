package org.volumedriver.quobyte.internal;

/**
 * The outcome of one health probe of a mount root.
 *
 * @param verdict the verdict
 * @param errno the errno of a failed stat, 0 if none
 * @param timedOut whether the probe did not answer in time
 * @param size the root's st_size when stat succeeded, -1 otherwise
 * @param detail a short explanation for administrators
 */
public record ProbeResult(Verdict verdict, int errno, boolean timedOut, long size, String detail) {

    /** What a probe says about a mount. */
    public enum Verdict {
        /** stat answered in time with st_size 0. */
        HEALTHY,
        /** A corrupted-mount errno, a timeout or a root with st_size != 0: heal it. */
        STALE,
        /** Some other failure: not a known stale mount, not healed automatically. */
        ERROR
    }

    /** @return a healthy result */
    public static ProbeResult ok() {
        return new ProbeResult(Verdict.HEALTHY, 0, false, 0, "");
    }

    /**
     * @param errno the errno of a failed stat
     * @return STALE for the corrupted-mount errnos, ERROR otherwise
     */
    public static ProbeResult ofErrno(int errno) {
        return new ProbeResult(Errno.STALE.contains(errno) ? Verdict.STALE : Verdict.ERROR, errno, false, -1,
                "stat failed with " + Errno.name(errno));
    }

    /**
     * @param size the root's st_size
     * @return HEALTHY for 0, STALE otherwise
     */
    public static ProbeResult ofSize(long size) {
        return size == 0 ? ok()
                : new ProbeResult(Verdict.STALE, 0, false, size, "mount root reports st_size " + size + " instead of 0");
    }

    /**
     * @param millis the timeout
     * @return a STALE timeout result
     */
    public static ProbeResult timeout(long millis) {
        return new ProbeResult(Verdict.STALE, 0, true, -1, "stat did not answer within " + millis + " ms");
    }

    /** @return whether healthy */
    public boolean isHealthy() {
        return verdict == Verdict.HEALTHY;
    }
}
