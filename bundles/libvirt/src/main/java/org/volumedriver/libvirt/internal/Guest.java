package org.volumedriver.libvirt.internal;

import java.util.List;
import java.util.Optional;

import javax.xml.stream.XMLStreamException;

import org.libvirt.Domain;
import org.libvirt.DomainSnapshot;
import org.libvirt.LibvirtException;
import org.libvirt.VolumedriverBlockCalls;
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
    /** libvirt's {@code VIR_DOMAIN_SNAPSHOT_CREATE_*} flags. */
    static final int SNAPSHOT_NO_METADATA = 1 << 2;
    static final int SNAPSHOT_DISK_ONLY = 1 << 4;
    static final int SNAPSHOT_REUSE_EXT = 1 << 5;
    static final int SNAPSHOT_QUIESCE = 1 << 6;
    /** libvirt's {@code VIR_DOMAIN_BLOCK_COMMIT_RELATIVE}. */
    static final int COMMIT_RELATIVE = 1 << 3;
    /** libvirt's {@code VIR_DOMAIN_BLOCK_REBASE_RELATIVE}. */
    static final int REBASE_RELATIVE = VolumedriverBlockCalls.REBASE_RELATIVE;
    /** libvirt's {@code VIR_DOMAIN_BLOCK_RESIZE_BYTES}. */
    static final int RESIZE_BYTES = 1;

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
        String xml = xml(view);
        List<DomainXml.Disk> all;
        try {
            all = DomainXml.disks(xml);
        } catch (XMLStreamException e) {
            throw new HypervisorException("read domain XML", -1, "libvirt returned XML that is refused: " + e.getClass().getSimpleName(), e);
        }
        return all.stream().filter(d -> d.source().filter(source::equals).isPresent()).findFirst();
    }

    /**
     * @param view the running guest or the persistent definition
     * @return that description of the domain as libvirt returns it
     * @throws HypervisorException if libvirt fails
     */
    String xml(View view) throws HypervisorException {
        return call("read domain XML", () -> domain.getXMLDesc(view.xmlFlags));
    }

    /**
     * @return the domain's UUID in libvirt's canonical form
     * @throws HypervisorException if libvirt fails
     */
    String uuid() throws HypervisorException {
        return call("read domain UUID", domain::getUUIDString);
    }

    /**
     * Creates a snapshot; with {@link #SNAPSHOT_NO_METADATA} libvirt keeps no record of it.
     *
     * @param snapshotXml the {@code <domainsnapshot>} description
     * @param flags libvirt's {@code virDomainSnapshotCreateFlags}
     * @throws HypervisorException if libvirt refuses
     */
    void snapshot(String snapshotXml, int flags) throws HypervisorException {
        call("snapshot", () -> {
            DomainSnapshot snapshot = domain.snapshotCreateXML(snapshotXml, flags);
            snapshot.free();
            return null;
        });
    }

    /**
     * The block job on a disk. A hypervisor driver that has no block jobs at all (libvirt error 3
     * or 84, as the test driver) has none running.
     *
     * @param dev the guest device
     * @return the job, if one runs
     * @throws HypervisorException if libvirt fails otherwise
     */
    Optional<BlockJobs.State> blockJob(String dev) throws HypervisorException {
        try {
            long[] info = call("read block job", () -> VolumedriverBlockCalls.jobInfo(domain, dev));
            return info == null ? Optional.empty() : Optional.of(new BlockJobs.State((int) info[0], info[1], info[2]));
        } catch (HypervisorException e) {
            if (Libvirt.isUnsupported(e.errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Starts a commit of {@code top} into {@code base} ({@code virDomainBlockCommit}, no bandwidth limit).
     *
     * @param dev the guest device
     * @param base the file that receives the data
     * @param top the file whose data go down
     * @param flags libvirt's {@code virDomainBlockCommitFlags}
     * @throws HypervisorException if libvirt refuses to start it
     */
    void commit(String dev, String base, String top, int flags) throws HypervisorException {
        call("block commit", () -> {
            domain.blockCommit(dev, base, top, 0, flags);
            return null;
        });
    }

    /**
     * Starts a pull into the active image ({@code virDomainBlockRebase}, no bandwidth limit).
     *
     * @param dev the guest device
     * @param base the active image's backing file afterwards, or {@code null} for none
     * @param flags libvirt's {@code virDomainBlockRebaseFlags}
     * @throws HypervisorException if libvirt refuses to start it
     */
    void rebase(String dev, String base, int flags) throws HypervisorException {
        call("block rebase", () -> {
            VolumedriverBlockCalls.rebase(domain, dev, base, 0, flags);
            return null;
        });
    }

    /**
     * Aborts the block job on a disk (synchronously: libvirt returns once the job has gone).
     *
     * @param dev the guest device
     * @throws HypervisorException if libvirt fails
     */
    void abortBlockJob(String dev) throws HypervisorException {
        call("abort block job", () -> {
            domain.blockJobAbort(dev, 0);
            return null;
        });
    }

    /**
     * @param dev the guest device
     * @return the disk's capacity as the guest sees it, in bytes
     * @throws HypervisorException if libvirt fails
     */
    long capacity(String dev) throws HypervisorException {
        return call("read block info", () -> domain.blockInfo(dev).getCapacity());
    }

    /**
     * Tells the guest the disk's new size ({@code virDomainBlockResize} in bytes).
     *
     * @param dev the guest device
     * @param bytes the new size
     * @throws HypervisorException if libvirt refuses
     */
    void resize(String dev, long bytes) throws HypervisorException {
        call("block resize", () -> {
            domain.blockResize(dev, bytes, RESIZE_BYTES);
            return null;
        });
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
