package org.volumedriver.libvirt.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.volumedriver.libvirt.ReconcileAction;
import org.volumedriver.libvirt.ReconcileRow;
import org.volumedriver.libvirt.internal.DomainScan.ScannedDomain;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.GuestRef;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.UnknownDriverException;
import org.volumedriver.spi.VolumeDriver;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeDrivers;
import org.volumedriver.spi.VolumeLocation;

/**
 * One reconciliation: the drivers' records are read first, then every domain, so that an attach
 * under way (connect, then libvirt attach) is at worst seen as drift and never adopted twice. What
 * a disk of a guest is, only its driver decides ({@link VolumeDriver#ownerOf}); this class refuses
 * what is never a driver's volume file (relative, {@code ..}, control characters, not a file disk)
 * and checks that the answer is the path that was asked about.
 */
final class Reconciliation {

    /** The longest source path passed to a driver. */
    private static final int MAX_PATH = 4096;

    /** A recorded attachment in no guest, remembered so that the next reconciliation can confirm it. */
    record Drift(String driver, String mountDirectory, Attachment attachment) {
    }

    /** Reads every domain; one call per look at the hypervisor. */
    @FunctionalInterface
    interface Domains {
        List<ScannedDomain> scan() throws HypervisorException;
    }

    /**
     * The outcome.
     *
     * @param rows the rows, sorted
     * @param domains how many domains were read
     * @param drift the drift found, for the next reconciliation to confirm
     */
    record Result(List<ReconcileRow> rows, int domains, Set<Drift> drift) {
    }

    /** What one driver has recorded: volume file to instances, and each attachment by file. */
    private record Records(VolumeDriver driver, Map<Path, Set<String>> instancesByFile, List<Drift> attachments) {
    }

    private final VolumeDrivers registry;
    private final Domains domains;
    private final boolean dryRun;
    private final boolean releaseOrphans;
    private final Set<Drift> seenBefore;
    private final List<ReconcileRow> rows = new ArrayList<>();

    /**
     * @param registry the drivers
     * @param domains how the domains are read
     * @param dryRun decide only
     * @param releaseOrphans release confirmed drift
     * @param seenBefore the drift the previous reconciliation found
     */
    Reconciliation(VolumeDrivers registry, Domains domains, boolean dryRun, boolean releaseOrphans, Set<Drift> seenBefore) {
        this.registry = registry;
        this.domains = domains;
        this.dryRun = dryRun;
        this.releaseOrphans = releaseOrphans;
        this.seenBefore = Set.copyOf(seenBefore);
    }

    /**
     * @return the rows and the drift found
     * @throws HypervisorException if libvirt cannot be asked: nothing was changed
     */
    Result run() throws HypervisorException {
        Map<String, Records> records = records();
        List<ScannedDomain> scanned = domains.scan();
        boolean complete = true;
        for (ScannedDomain domain : scanned) {
            if (domain.problem().isPresent()) {
                complete = false;
                rows.add(row(ReconcileAction.REJECTED, domain.guest(), "", "", "", null, "domain not read: " + domain.problem().get()));
            }
            Set<String> seen = new HashSet<>();
            for (DomainXml.DiskSources disk : domain.disks()) {
                if (disk.source().isPresent() && seen.add(disk.type() + " " + disk.source().get())) {
                    guestDisk(domain.guest(), disk, records);
                }
            }
        }
        Set<Drift> drift = drift(records, usage(scanned), complete);
        rows.sort(Comparator.comparing(ReconcileRow::action).thenComparing(ReconcileRow::mountDirectory)
                .thenComparing(ReconcileRow::volume).thenComparing(ReconcileRow::domainName).thenComparing(ReconcileRow::source));
        return new Result(List.copyOf(rows), scanned.size(), drift);
    }

    /** Every driver's recorded attachments; a driver that cannot list them takes no part. */
    private Map<String, Records> records() {
        Map<String, Records> all = new TreeMap<>();
        for (String type : registry.types()) {
            VolumeDriver driver;
            List<MountStatus> mounts;
            try {
                driver = registry.driver(type);
                mounts = driver.mounts();
            } catch (UnknownDriverException e) {
                continue; // went away meanwhile
            } catch (RuntimeException e) {
                rows.add(new ReconcileRow(ReconcileAction.FAILED, "", "", "", "", type, "", "",
                        "its mounts could not be listed (" + e.getClass().getSimpleName() + "); the driver takes no part"));
                continue;
            }
            Map<Path, Set<String>> byFile = new HashMap<>();
            List<Drift> attachments = new ArrayList<>();
            for (MountStatus mount : mounts) {
                for (Attachment a : mount.attachments()) {
                    byFile.computeIfAbsent(Path.of(mount.mountDirectory(), a.volume()), f -> new HashSet<>()).add(a.instance());
                    attachments.add(new Drift(type, mount.mountDirectory(), a));
                }
            }
            all.put(type, new Records(driver, byFile, attachments));
        }
        return all;
    }

    /** One disk of a guest: refused, foreign (no row), in the records, or adopted. */
    private void guestDisk(GuestRef guest, DomainXml.DiskSources disk, Map<String, Records> records) {
        String raw = disk.source().orElseThrow();
        String shown = DomainScan.printable(raw);
        if (!"file".equals(disk.type()) || !disk.sourceIsFile()) {
            // only file disks are volumes; another kind pointing into a mount is reported, the rest is not ours
            GuestUsageImpl.lexical(raw).flatMap(p -> mountHolding(p, records)).ifPresent(type -> rows.add(row(ReconcileAction.REJECTED,
                    guest, shown, type, "", null, "a disk of type '" + DomainScan.printable(disk.type()) + "' below a mount; only file disks are volumes")));
            return;
        }
        Optional<String> refusal = refusal(raw);
        if (refusal.isPresent()) {
            rows.add(row(ReconcileAction.REJECTED, guest, shown, "", "", null, refusal.get()));
            return;
        }
        Path source = Path.of(raw).normalize();
        Map<String, VolumeLocation> claims = new TreeMap<>();
        Map<String, String> refusals = new TreeMap<>();
        for (Records r : records.values()) {
            try {
                r.driver().ownerOf(source).ifPresent(l -> claims.put(r.driver().type(), l));
            } catch (VolumeDriverException e) {
                refusals.put(r.driver().type(), e.code() + ": " + Redactor.redactText(e.getMessage()));
            } catch (RuntimeException e) {
                refusals.put(r.driver().type(), "INTERNAL_ERROR: " + e.getClass().getSimpleName());
            }
        }
        if (!refusals.isEmpty()) {
            rows.add(row(ReconcileAction.REJECTED, guest, shown, String.join(",", refusals.keySet()), "", null,
                    "refused by the driver: " + String.join("; ", refusals.values())));
        } else if (claims.size() > 1) {
            rows.add(row(ReconcileAction.REJECTED, guest, shown, String.join(",", claims.keySet()), "", null,
                    "claimed by more than one driver"));
        } else if (claims.size() == 1) {
            String type = claims.keySet().iterator().next();
            VolumeLocation where = claims.get(type);
            if (!where.path().equals(source)) {
                rows.add(row(ReconcileAction.REJECTED, guest, shown, type, "", null, "the driver answered another path: " + where.path()));
            } else {
                inRecordsOrAdopt(guest, shown, records.get(type), where);
            }
        }
    }

    /**
     * @param raw a file disk's source as the domain names it
     * @return why it is never handed to a driver, if it is not
     */
    static Optional<String> refusal(String raw) {
        if (raw.isEmpty() || raw.length() > MAX_PATH) {
            return Optional.of("not a path of 1 to " + MAX_PATH + " characters");
        }
        if (raw.chars().anyMatch(Character::isISOControl)) {
            return Optional.of("a control character in the source");
        }
        if (!raw.startsWith("/")) {
            return Optional.of("not an absolute path");
        }
        for (String component : raw.split("/")) {
            if ("..".equals(component)) {
                return Optional.of("a '..' component in the source");
            }
        }
        return GuestUsageImpl.lexical(raw).isPresent() ? Optional.empty() : Optional.of("not a valid path");
    }

    private void inRecordsOrAdopt(GuestRef guest, String shown, Records records, VolumeLocation where) {
        String type = records.driver().type();
        Set<String> instances = records.instancesByFile().getOrDefault(where.path(), Set.of());
        Optional<String> recorded = instances.stream().filter(guest::matches).sorted().findFirst();
        if (recorded.isPresent()) {
            rows.add(row(ReconcileAction.UNTOUCHED, guest, shown, type, recorded.get(), where, "in the guest and recorded"));
            return;
        }
        Attachment attachment = new Attachment(where.volume(), guest.uuid());
        if (recordedMeanwhile(records.driver(), where.volume(), guest)) {
            rows.add(row(ReconcileAction.UNTOUCHED, guest, shown, type, guest.uuid(), where, "recorded meanwhile"));
            return;
        }
        if (dryRun) {
            rows.add(row(ReconcileAction.ADOPTED, guest, shown, type, guest.uuid(), where, "dry run: would adopt"));
            return;
        }
        try {
            boolean added = records.driver().adopt(where, attachment);
            rows.add(row(added ? ReconcileAction.ADOPTED : ReconcileAction.UNTOUCHED, guest, shown, type, guest.uuid(), where,
                    added ? "in the guest, not recorded: adopted" : "already recorded"));
        } catch (VolumeDriverException e) {
            rows.add(row(ReconcileAction.FAILED, guest, shown, type, guest.uuid(), where,
                    "adopt failed: " + e.code() + ": " + Redactor.redactText(e.getMessage())));
        } catch (RuntimeException e) {
            rows.add(row(ReconcileAction.FAILED, guest, shown, type, guest.uuid(), where, "adopt failed: INTERNAL_ERROR: "
                    + e.getClass().getSimpleName()));
        }
    }

    /** A connect that happened after the records were read is not adopted a second time. */
    private static boolean recordedMeanwhile(VolumeDriver driver, String volume, GuestRef guest) {
        try {
            return driver.isAttached(new Attachment(volume, guest.uuid()))
                    || Attachment.INSTANCE_PATTERN.matcher(guest.name()).matches() && !guest.name().contains("..")
                            && driver.isAttached(new Attachment(volume, guest.name()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Which guests use each path, normalized lexically: drift is decided conservatively. */
    private static Map<Path, Set<GuestRef>> usage(List<ScannedDomain> scanned) {
        Map<Path, Set<GuestRef>> byPath = new HashMap<>();
        for (ScannedDomain domain : scanned) {
            for (DomainXml.DiskSources disk : domain.disks()) {
                for (String path : disk.allPaths()) {
                    GuestUsageImpl.lexical(path).ifPresent(p -> byPath.computeIfAbsent(p, x -> new TreeSet<>()).add(domain.guest()));
                }
            }
        }
        return byPath;
    }

    /** Recorded attachments in no guest: kept, or released once confirmed. */
    private Set<Drift> drift(Map<String, Records> records, Map<Path, Set<GuestRef>> usage, boolean complete) throws HypervisorException {
        Set<Drift> found = new LinkedHashSet<>();
        List<Drift> candidates = new ArrayList<>();
        for (Records r : records.values()) {
            for (Drift d : r.attachments()) {
                if (usedBy(usage, d).isPresent()) {
                    continue;
                }
                found.add(d);
                if (!releaseOrphans) {
                    rows.add(driftRow(ReconcileAction.DRIFT_KEPT, d, "in no guest; report only (reconcile.release.orphans=false)"));
                } else if (!complete) {
                    rows.add(driftRow(ReconcileAction.DRIFT_KEPT, d, "in no guest; not released while a domain cannot be read"));
                } else if (!seenBefore.contains(d)) {
                    rows.add(driftRow(ReconcileAction.DRIFT_KEPT, d, "in no guest, found now; released if the next reconciliation finds it too"));
                } else {
                    candidates.add(d);
                }
            }
        }
        if (!candidates.isEmpty()) {
            release(candidates, records, found);
        }
        return found;
    }

    /** A fresh look at the domains right before anything is released. */
    private void release(List<Drift> candidates, Map<String, Records> records, Set<Drift> found) {
        Map<Path, Set<GuestRef>> now;
        try {
            List<ScannedDomain> again = domains.scan();
            if (again.stream().anyMatch(d -> d.problem().isPresent())) {
                candidates.forEach(d -> rows.add(driftRow(ReconcileAction.DRIFT_KEPT, d, "in no guest; not released while a domain cannot be read")));
                return;
            }
            now = usage(again);
        } catch (HypervisorException e) {
            candidates.forEach(d -> rows.add(driftRow(ReconcileAction.DRIFT_KEPT, d, "not released: libvirt could not be asked again: "
                    + Redactor.redactText(e.getMessage()))));
            return;
        }
        for (Drift d : candidates) {
            Optional<GuestRef> user = usedBy(now, d);
            if (user.isPresent()) {
                found.remove(d);
                rows.add(driftRow(ReconcileAction.UNTOUCHED, d, "in guest " + user.get() + " now"));
            } else if (dryRun) {
                rows.add(driftRow(ReconcileAction.DRIFT_RELEASED, d, "dry run: would release (in no guest twice in a row)"));
            } else {
                releaseOne(records.get(d.driver()).driver(), d, found);
            }
        }
    }

    private void releaseOne(VolumeDriver driver, Drift d, Set<Drift> found) {
        try {
            VolumeLocation where = new VolumeLocation(d.mountDirectory(), d.attachment().volume());
            String outcome = driver.release(where, d.attachment()).name();
            found.remove(d);
            rows.add(driftRow(ReconcileAction.DRIFT_RELEASED, d, "in no guest twice in a row: released, " + outcome));
        } catch (VolumeDriverException e) {
            rows.add(driftRow(ReconcileAction.FAILED, d, "release failed: " + e.code() + ": " + Redactor.redactText(e.getMessage())));
        } catch (RuntimeException e) {
            rows.add(driftRow(ReconcileAction.FAILED, d, "release failed: INTERNAL_ERROR: " + e.getClass().getSimpleName()));
        }
    }

    private static Optional<GuestRef> usedBy(Map<Path, Set<GuestRef>> usage, Drift d) {
        Path file = Path.of(d.mountDirectory(), d.attachment().volume()).normalize();
        return usage.getOrDefault(file, Set.of()).stream().filter(g -> g.matches(d.attachment().instance())).findFirst();
    }

    /** @return the driver with a recorded mount directory above the path, if any */
    private static Optional<String> mountHolding(Path path, Map<String, Records> records) {
        for (Records r : records.values()) {
            for (Drift d : r.attachments()) {
                Path dir = Path.of(d.mountDirectory());
                if (path.startsWith(dir) && !path.equals(dir)) {
                    return Optional.of(d.driver());
                }
            }
        }
        return Optional.empty();
    }

    private static ReconcileRow row(ReconcileAction action, GuestRef guest, String source, String driver, String instance,
            VolumeLocation where, String reason) {
        return new ReconcileRow(action, guest.uuid(), guest.name(), instance, source, driver,
                where == null ? "" : where.mountDirectory(), where == null ? "" : where.volume(), reason);
    }

    private static ReconcileRow driftRow(ReconcileAction action, Drift d, String reason) {
        return new ReconcileRow(action, "", "", d.attachment().instance(), Path.of(d.mountDirectory(), d.attachment().volume()).toString(),
                d.driver(), d.mountDirectory(), d.attachment().volume(), reason);
    }
}
