package org.volumedriver.libvirt.internal;

import java.util.List;
import java.util.Optional;

import javax.xml.stream.XMLStreamException;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.libvirt.AttachMode;
import org.volumedriver.spi.HypervisorException;

/**
 * One libvirt domain with the operations the attach and detach flows need: its state, its disks
 * in the running guest or the persistent definition, device attach and detach, and editing the
 * persistent definition where libvirt's driver cannot attach or detach by itself. Every libvirt
 * failure leaves as a {@link HypervisorException} carrying libvirt's {@code virErrorNumber}.
 * Valid as long as the {@link Libvirt} session it came from is open.
 */
final class Guest {

    private static final Logger LOG = LoggerFactory.getLogger(Guest.class);

    /** libvirt's {@code VIR_DOMAIN_AFFECT_LIVE} and {@code VIR_DOMAIN_AFFECT_CONFIG}. */
    static final int AFFECT_LIVE = 1;
    static final int AFFECT_CONFIG = 2;
    /** libvirt's {@code VIR_DOMAIN_XML_INACTIVE} and {@code VIR_DOMAIN_XML_SECURE}. */
    static final int XML_INACTIVE = 2;
    static final int XML_SECURE = 1;

    /** Which description of the domain to read. */
    enum View {
        /** The running guest. */
        LIVE(0),
        /** The persistent definition. */
        PERSISTENT(XML_INACTIVE);

        final int xmlFlags;

        View(int xmlFlags) {
            this.xmlFlags = xmlFlags;
        }
    }

    /** One libvirt-java call. */
    @FunctionalInterface
    private interface LibvirtCall<T> {
        T call() throws LibvirtException;
    }

    /** One change of a domain definition as text; refused input is an {@link DomainXml.EditException}. */
    @FunctionalInterface
    interface DefinitionEdit {
        String apply(String definition) throws DomainXml.EditException;
    }

    private final Libvirt session;
    private final Domain domain;
    private final String name;

    /**
     * @param session the open session the domain handle belongs to; redefinitions go through it
     * @param domain the domain handle
     * @param name the domain name, for the log
     */
    Guest(Libvirt session, Domain domain, String name) {
        this.session = session;
        this.domain = domain;
        this.name = name;
    }

    /** @return the domain name */
    String name() {
        return name;
    }

    /**
     * @return whether the guest is running
     * @throws HypervisorException if libvirt cannot tell
     */
    boolean isActive() throws HypervisorException {
        return call("query domain state", domain::isActive) == 1;
    }

    /**
     * @return whether the domain has a persistent definition
     * @throws HypervisorException if libvirt cannot tell
     */
    boolean isPersistent() throws HypervisorException {
        return call("query domain persistence", domain::isPersistent) == 1;
    }

    /**
     * The first disk with a source path in one description of the domain, read back with the
     * hardened reader of {@link DomainXml}.
     *
     * @param view the running guest or the persistent definition
     * @param source the source path
     * @return the disk, if that description has it
     * @throws HypervisorException if libvirt fails or returns XML that is refused
     */
    Optional<DomainXml.Disk> disk(View view, String source) throws HypervisorException {
        String xml = call("read domain XML", () -> domain.getXMLDesc(view.xmlFlags));
        List<DomainXml.Disk> all;
        try {
            all = DomainXml.disks(xml);
        } catch (XMLStreamException e) {
            throw new HypervisorException("read domain XML", -1, "libvirt returned XML that is refused: " + e.getClass().getSimpleName(), e);
        }
        return all.stream().filter(d -> d.source().filter(source::equals).isPresent()).findFirst();
    }

    /**
     * Attaches a disk. A {@code CONFIG} attach that libvirt's driver does not implement (error 3
     * or 84) on a persistent domain is done by adding the disk to the persistent definition.
     *
     * @param disk the checked disk and the XML written for it
     * @param mode where it is attached
     * @throws HypervisorException if libvirt refuses; after a failed fallback libvirt's original
     *         error is a suppressed exception
     */
    void attach(CheckedDisk disk, AttachMode mode) throws HypervisorException {
        int flags = flags(mode);
        HypervisorException error;
        try {
            call("attach", () -> {
                domain.attachDeviceFlags(disk.xml(), flags);
                return null;
            });
            return;
        } catch (HypervisorException e) {
            error = e;
        }
        if (!canEditDefinition(flags, error)) {
            throw error;
        }
        String targetDev = disk.spec().targetDev().orElseThrow();
        LOG.info("libvirt does not implement persistent device attach for domain {} (error {}); "
                + "adding {} to its persistent definition instead", name, error.errorCode(), targetDev);
        try {
            editDefinition("attach", definition -> DomainXml.withDisk(definition, disk.xml()));
            if (disk(View.PERSISTENT, disk.spec().sourcePath()).filter(d -> targetDev.equals(d.targetDev())).isEmpty()) {
                throw new HypervisorException("attach", -1, "the disk is not in the persistent definition after defining it", null);
            }
        } catch (HypervisorException | RuntimeException fallback) {
            fallback.addSuppressed(error);
            throw fallback;
        }
    }

    /**
     * Detaches a disk. A {@code CONFIG} detach that libvirt's driver does not implement (error 3
     * or 84) on a persistent domain is done by removing the disk from the persistent definition.
     *
     * @param disk the disk as found in the domain, named to libvirt by its source and target
     * @param inDefinition the disk as the persistent definition has it, the one the fallback removes
     * @param source the source path
     * @param scope where it is detached
     * @throws HypervisorException if libvirt refuses; after a failed fallback libvirt's original
     *         error is a suppressed exception
     */
    void detach(DomainXml.Disk disk, Optional<DomainXml.Disk> inDefinition, String source, AttachMode scope)
            throws HypervisorException {
        int flags = flags(scope);
        HypervisorException error;
        try {
            call("detach", () -> {
                domain.detachDeviceFlags(DiskXml.writeForDetach(disk), flags);
                return null;
            });
            return;
        } catch (HypervisorException e) {
            error = e;
        }
        String targetDev = inDefinition.map(DomainXml.Disk::targetDev).orElse(null);
        if (targetDev == null || !canEditDefinition(flags, error)) {
            throw error;
        }
        LOG.info("libvirt does not implement persistent device detach for domain {} (error {}); "
                + "removing {} from its persistent definition instead", name, error.errorCode(), targetDev);
        try {
            editDefinition("detach", definition -> DomainXml.withoutDisk(definition, source, targetDev));
            if (disk(View.PERSISTENT, source).isPresent()) {
                throw new HypervisorException("detach", -1, "the disk is still in the persistent definition after defining it without", null);
            }
        } catch (HypervisorException | RuntimeException fallback) {
            fallback.addSuppressed(error);
            throw fallback;
        }
    }

    /**
     * Whether a failed attach or detach may be done by editing the persistent definition instead:
     * only for the persistent part alone ({@code CONFIG}), only on a persistent domain, and only
     * when libvirt says (by number) that its driver does not implement the call, as libvirt's
     * {@code test:///default} driver does. A live change is never imitated.
     */
    private boolean canEditDefinition(int flags, HypervisorException error) throws HypervisorException {
        return flags == AFFECT_CONFIG && Libvirt.isUnsupported(error.errorCode()) && isPersistent();
    }

    /**
     * Reads the persistent definition, changes it and defines it again. The definition is read
     * with {@code VIR_DOMAIN_XML_SECURE}: without it libvirt leaves out secrets such as graphics
     * passwords, and defining that text would drop them from the domain.
     *
     * @param operation what the edit is for, named in a refusal
     * @param edit the change
     * @throws HypervisorException if libvirt fails, the edit is refused (code -1), or libvirt
     *         refuses the changed definition
     */
    void editDefinition(String operation, DefinitionEdit edit) throws HypervisorException {
        String definition = call("read domain XML", () -> domain.getXMLDesc(XML_INACTIVE | XML_SECURE));
        String changed;
        try {
            changed = edit.apply(definition);
        } catch (DomainXml.EditException e) {
            throw new HypervisorException(operation, -1, "the persistent definition cannot be changed: " + e.getMessage(), e);
        }
        session.define(changed);
    }

    /** The one place where this class turns a libvirt failure into the typed exception. */
    private static <T> T call(String operation, LibvirtCall<T> call) throws HypervisorException {
        try {
            return call.call();
        } catch (LibvirtException e) {
            throw Libvirt.error(operation, e);
        }
    }

    /**
     * @param mode an attach mode
     * @return libvirt's {@code virDomainModificationImpact} flags for it
     */
    static int flags(AttachMode mode) {
        return switch (mode) {
            case LIVE -> AFFECT_LIVE;
            case CONFIG -> AFFECT_CONFIG;
            case LIVE_AND_CONFIG -> AFFECT_LIVE | AFFECT_CONFIG;
        };
    }
}
