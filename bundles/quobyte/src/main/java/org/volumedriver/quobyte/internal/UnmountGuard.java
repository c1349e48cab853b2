package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.GuestRef;
import org.volumedriver.spi.GuestUsage;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.MountInUseByGuestException;
import org.volumedriver.spi.Redactor;

/**
 * The question before every unmount that nobody forced (F6): the last disconnect or a release, the
 * watchdog's unmount of an idle mount and its heal of an idle stale one, a heal without force.
 * A hypervisor guest that still has a file of the mount as a disk would lose it, and libvirt, not
 * the journal, knows the guests. The answer comes from the optional {@link GuestUsage} service;
 * without it every unmount goes ahead as before. When the guests cannot be asked the mount stays
 * too: a stopped libvirtd does not stop its guests.
 */
final class UnmountGuard {

    private static final Logger LOG = LoggerFactory.getLogger(UnmountGuard.class);
    private static final int NAMED = 5;

    /**
     * What the guests said about one mount directory.
     *
     * @param guests the guests with a disk below it
     * @param unknown why they could not be asked, or {@code null} if they were
     */
    record Verdict(List<GuestRef> guests, String unknown) {

        /** Nobody uses it, or nobody can be asked because no hypervisor service is there. */
        static final Verdict CLEAR = new Verdict(List.of(), null);

        Verdict {
            guests = List.copyOf(guests);
        }

        /** @return whether the mount must stay */
        boolean keeps() {
            return !guests.isEmpty() || unknown != null;
        }

        /** @return the reason, for the record's detail and the log */
        String describe() {
            if (unknown != null) {
                return "the guests using it could not be asked (" + unknown + ")";
            }
            String named = guests.stream().limit(NAMED).map(GuestRef::toString).collect(Collectors.joining(", "));
            return "in use by guest " + named + (guests.size() > NAMED ? " and " + (guests.size() - NAMED) + " more" : "");
        }
    }

    private final Counters counters;
    private volatile Supplier<GuestUsage> source = () -> null;

    /** @param counters where asked, kept and unknown answers are counted */
    UnmountGuard(Counters counters) {
        this.counters = counters;
    }

    /** @param usage where the service is read at each question; it answers {@code null} while there is none */
    void source(Supplier<GuestUsage> usage) {
        this.source = Objects.requireNonNull(usage, "usage");
    }

    /** @return whether a hypervisor can be asked at all; without one nothing is ever kept */
    boolean active() {
        return source.get() != null;
    }

    /**
     * @param dir a mount directory
     * @return the guests using it; {@link Verdict#CLEAR} without a hypervisor service
     */
    Verdict ask(Path dir) {
        GuestUsage usage = source.get();
        if (usage == null) {
            return Verdict.CLEAR;
        }
        counters.increment("guard.asked");
        try {
            return new Verdict(usage.guestsUsing(dir), null);
        } catch (HypervisorException e) {
            counters.increment("guard.unknown");
            return new Verdict(List.of(), Redactor.redactText(e.getMessage()));
        } catch (RuntimeException e) {
            // a service going away or failing unexpectedly is no proof that nobody uses the mount
            counters.increment("guard.unknown");
            return new Verdict(List.of(), e.getClass().getSimpleName());
        }
    }

    /**
     * Asks, and when the mount must stay says why on its record (shown as its detail while it has
     * no attachments) and in the log, once per change of the reason.
     *
     * @param rec the mount's record; the caller holds its directory lock
     * @param unmount which unmount is held back, for the log
     * @return whether the mount stays
     */
    boolean keeps(MountRecord rec, String unmount) {
        Verdict v = ask(rec.dir);
        return v.keeps() ? kept(rec, v, unmount) : cleared(rec);
    }

    /**
     * For a heal without force: refuses with the guests, and changes nothing.
     *
     * @param rec the mount's record; the caller holds its directory lock
     * @throws MountInUseByGuestException if a guest uses the mount or the guests cannot be asked
     */
    void refuseIfUsed(MountRecord rec) throws MountInUseByGuestException {
        Verdict v = ask(rec.dir);
        if (v.keeps()) {
            kept(rec, v, "a heal without force");
            throw new MountInUseByGuestException(rec.dir.toString(), v.guests());
        }
        cleared(rec);
    }

    private boolean kept(MountRecord rec, Verdict v, String unmount) {
        counters.increment("guard.kept");
        String why = v.describe();
        if (!why.equals(rec.keptBecause())) {
            LOG.warn("{} of {} held back, the mount stays: {}", unmount, rec.dir, why);
        } else {
            LOG.debug("{} of {} held back again: {}", unmount, rec.dir, why);
        }
        rec.keptBecause(why);
        return true;
    }

    private static boolean cleared(MountRecord rec) {
        rec.keptBecause("");
        return false;
    }
}
