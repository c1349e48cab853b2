package org.volumedriver.libvirt.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.xml.stream.XMLStreamException;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.volumedriver.spi.GuestRef;
import org.volumedriver.spi.HypervisorException;

/**
 * Every domain libvirt knows, running and defined, with the disks of its running guest and of its
 * persistent definition: what the reconciler and the guest-usage check compare with the drivers.
 * A domain that goes away while it is read is left out (it uses nothing any more); a domain that
 * cannot be read is kept with the problem, so that callers know their picture is incomplete.
 */
final class DomainScan {

    /** The longest domain name kept for display; libvirt's names are not bounded. */
    private static final int MAX_NAME = 256;

    /**
     * One domain.
     *
     * @param guest its UUID and printable name
     * @param disks the disks of its running guest and of its persistent definition, in that order
     * @param problem why it could not be read, if it could not; then {@code disks} is incomplete
     */
    record ScannedDomain(GuestRef guest, List<DomainXml.DiskSources> disks, Optional<String> problem) {
    }

    /** One libvirt-java call. */
    @FunctionalInterface
    private interface LibvirtCall<T> {
        T call() throws LibvirtException;
    }

    private DomainScan() {
    }

    /**
     * @param libvirt an open session
     * @return every domain, running first, each once
     * @throws HypervisorException if libvirt cannot list its domains
     */
    static List<ScannedDomain> scan(Libvirt libvirt) throws HypervisorException {
        // a domain that starts between the two lists is in neither, so the running ones are listed again
        int[] running = libvirt.runningDomainIds();
        String[] inactive = libvirt.inactiveDomainNames();
        int[] runningAfter = libvirt.runningDomainIds();
        Map<String, ScannedDomain> byUuid = new LinkedHashMap<>();
        for (int[] ids : new int[][] {running, runningAfter}) {
            for (int id : ids) {
                lookUp(() -> libvirt.domain(id)).ifPresent(d -> read(d, byUuid));
            }
        }
        for (String name : inactive) {
            lookUp(() -> libvirt.domain(name)).ifPresent(d -> read(d, byUuid));
        }
        return List.copyOf(byUuid.values());
    }

    /** A lookup that finds nothing because the domain has just gone is no error. */
    private static Optional<Domain> lookUp(HypervisorCall<Domain> lookup) throws HypervisorException {
        try {
            return Optional.of(lookup.call());
        } catch (HypervisorException e) {
            if (e.errorCode() == Libvirt.VIR_ERR_NO_DOMAIN) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** A call that already speaks {@link HypervisorException}. */
    @FunctionalInterface
    private interface HypervisorCall<T> {
        T call() throws HypervisorException;
    }

    private static void read(Domain domain, Map<String, ScannedDomain> byUuid) {
        String uuid;
        String name;
        try {
            uuid = domain.getUUIDString();
            name = printable(domain.getName());
        } catch (LibvirtException e) {
            return; // gone, or unreadable without an identity to report it under
        }
        if (byUuid.containsKey(uuid)) {
            return;
        }
        GuestRef guest;
        try {
            guest = new GuestRef(uuid, name);
        } catch (IllegalArgumentException e) {
            return; // libvirt always answers canonical UUIDs; anything else is nothing we could match
        }
        List<DomainXml.DiskSources> disks = new ArrayList<>();
        try {
            if (call(domain::isActive) == 1) {
                disks.addAll(DomainXml.diskSources(call(() -> domain.getXMLDesc(0))));
            }
            if (call(domain::isPersistent) == 1) {
                disks.addAll(DomainXml.diskSources(call(() -> domain.getXMLDesc(Guest.XML_INACTIVE))));
            }
            byUuid.put(uuid, new ScannedDomain(guest, List.copyOf(disks), Optional.empty()));
        } catch (HypervisorException e) {
            if (e.errorCode() != Libvirt.VIR_ERR_NO_DOMAIN) {
                byUuid.put(uuid, new ScannedDomain(guest, List.copyOf(disks), Optional.of("libvirt error " + e.errorCode()
                        + " reading the domain")));
            }
        } catch (XMLStreamException e) {
            byUuid.put(uuid, new ScannedDomain(guest, List.copyOf(disks), Optional.of("domain XML refused: "
                    + printable(String.valueOf(e.getMessage())))));
        }
    }

    private static <T> T call(LibvirtCall<T> call) throws HypervisorException {
        try {
            return call.call();
        } catch (LibvirtException e) {
            throw Libvirt.error("read domain", e);
        }
    }

    /**
     * @param text a value from a domain definition
     * @return it with control characters replaced by {@code ?} and cut to a bounded length, so
     *         that it cannot forge lines or columns where it is printed
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_NAME));
        text.codePoints().limit(MAX_NAME).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.length() == 0 ? "?" : out.toString();
    }
}
