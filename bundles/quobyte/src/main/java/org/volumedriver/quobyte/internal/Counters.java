package org.volumedriver.quobyte.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The driver's counters, by name. */
public final class Counters {

    private final ConcurrentHashMap<String, LongAdder> adders = new ConcurrentHashMap<>();
    private final AtomicLong maxMountMillis = new AtomicLong();

    /** @param name counter name */
    public void increment(String name) {
        adders.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    /**
     * @param name the counter
     * @param amount what to add
     */
    public void increment(String name, long amount) {
        adders.computeIfAbsent(name, k -> new LongAdder()).add(amount);
    }

    /**
     * @param name counter name
     * @return its value
     */
    public long get(String name) {
        LongAdder a = adders.get(name);
        return a == null ? 0 : a.sum();
    }

    /** @param millis one successful mount's latency */
    public void mountLatency(long millis) {
        adders.computeIfAbsent("mount.latency.total.ms", k -> new LongAdder()).add(millis);
        maxMountMillis.accumulateAndGet(millis, Math::max);
    }

    /** @return a sorted snapshot */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        for (String k : new String[] { "connects", "disconnects", "mounts", "unmounts", "heals", "mount.failures",
            "unmount.busy", "stale.detected", "probe.timeouts" }) {
            out.put(k, 0L);
        }
        adders.forEach((k, v) -> out.put(k, v.sum()));
        out.put("mount.latency.max.ms", maxMountMillis.get());
        return out;
    }
}
