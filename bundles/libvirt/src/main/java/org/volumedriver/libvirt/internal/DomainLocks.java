package org.volumedriver.libvirt.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

import org.osgi.service.component.annotations.Component;

/**
 * One lock per domain name, shared by every component that changes a domain's disks (attach,
 * detach, snapshot, merge, extend): two of them on one domain never interleave, so one call's
 * check ("already attached", "no block job") still holds when it acts, and one call's undo never
 * takes what another call did.
 */
@Component(service = DomainLocks.class)
public class DomainLocks {

    /** One domain operation. */
    @FunctionalInterface
    public interface Locked<T, E extends Exception> {
        /**
         * @return the operation's result
         * @throws E its failure
         */
        T run() throws E;
    }

    private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /**
     * Runs an operation while holding the domain's lock.
     *
     * @param <T> the result type
     * @param <E> the failure type
     * @param domain the domain name
     * @param operation the operation
     * @return its result
     * @throws E its failure
     */
    public <T, E extends Exception> T with(String domain, Locked<T, E> operation) throws E {
        ReentrantLock lock = locks.computeIfAbsent(domain, d -> new ReentrantLock());
        lock.lock();
        try {
            return operation.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param domain a domain name
     * @return whether some thread holds its lock now, for tests
     */
    boolean isLocked(String domain) {
        ReentrantLock lock = locks.get(domain);
        return lock != null && lock.isLocked();
    }
}
