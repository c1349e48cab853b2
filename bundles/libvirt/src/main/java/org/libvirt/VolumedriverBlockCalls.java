package org.libvirt;

import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.virDomainBlockJobInfo;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * The two block-job calls libvirt-java 0.5.3 lacks or answers incompletely, made through JNA on the
 * domain handle libvirt-java already holds: {@code virDomainBlockRebase} (not mapped at all) and
 * {@code virDomainGetBlockJobInfo} with its return value (libvirt-java drops it, so "no job" cannot
 * be told from a job that has not measured its work yet).
 *
 * <p>Why a class in package {@code org.libvirt}, inside the bundle that embeds libvirt-java
 * privately: the domain's native pointer is the package-private field {@code Domain.vdp}, and a
 * failure is turned into a {@link LibvirtException} by the package-private
 * {@code ErrorHandler.processError}, exactly as libvirt-java does for its own calls. From this
 * package both are plain, compiler-checked accesses: no reflection, no {@code setAccessible}, and a
 * libvirt-java that renamed either would fail the build rather than a running host. The package is
 * never exported (bnd's {@code -privatepackage: org.libvirt.*}), so nothing outside the bundle sees
 * this class.
 */
public final class VolumedriverBlockCalls {

    /** libvirt's {@code VIR_DOMAIN_BLOCK_REBASE_RELATIVE}: keep the backing names relative. */
    public static final int REBASE_RELATIVE = 1 << 4;

    /** The one libvirt function mapped here. */
    interface Rebase extends com.sun.jna.Library {
        int virDomainBlockRebase(DomainPointer domain, String disk, String base, NativeLong bandwidth, int flags);
    }

    /** Loaded on first use, as libvirt-java loads the library ({@code virt}: libvirt.so.0). */
    private static final class Holder {
        static final Rebase REBASE = Native.load("virt", Rebase.class);
    }

    private VolumedriverBlockCalls() {
    }

    /**
     * Starts a pull ({@code virDomainBlockRebase} without copy flags): the data of the files above
     * {@code base} in the chain are pulled into the active image, whose backing file becomes
     * {@code base}.
     *
     * @param domain the domain
     * @param disk the disk, by target ({@code vdb}) or source path
     * @param base the file that becomes the active image's backing file, or {@code null} for none
     * @param bandwidth MiB/s, 0 for no limit
     * @param flags libvirt's {@code virDomainBlockRebaseFlags}
     * @throws LibvirtException libvirt's error, as libvirt-java reports it
     */
    public static void rebase(Domain domain, String disk, String base, long bandwidth, int flags) throws LibvirtException {
        ErrorHandler.processError(Holder.REBASE.virDomainBlockRebase(domain.vdp, disk, base, new NativeLong(bandwidth), flags));
    }

    /**
     * The block job on a disk, if one runs.
     *
     * @param domain the domain
     * @param disk the disk, by target or source path
     * @return {@code null} if no block job runs on the disk, otherwise {@code {type, cur, end}}
     *         (libvirt's {@code virDomainBlockJobType} and progress)
     * @throws LibvirtException libvirt's error, as libvirt-java reports it
     */
    public static long[] jobInfo(Domain domain, String disk) throws LibvirtException {
        virDomainBlockJobInfo info = new virDomainBlockJobInfo();
        int found = ErrorHandler.processError(Library.libvirt.virDomainGetBlockJobInfo(domain.vdp, disk, info, 0));
        return found == 0 ? null : new long[] {info.type, info.cur, info.end};
    }
}
