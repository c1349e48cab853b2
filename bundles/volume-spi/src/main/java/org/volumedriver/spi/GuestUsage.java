package org.volumedriver.spi;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Which hypervisor guests use files under a mount directory: the question a driver asks before it
 * unmounts (the last disconnect, an idle unmount by its watchdog, a heal without force), because
 * a guest that still has a file of the mount open would lose its disk.
 *
 * <p>The libvirt bundle registers it. It looks at every domain, running and defined: the running
 * guest's description and the persistent definition, every {@code <disk>} source file and backing
 * file. A source counts when, normalized lexically, it lies below the directory (compared by path
 * components). Symlinks are not followed: nothing on a possibly stale mount is touched, so a
 * source outside the directory that is a symlink into it is not seen.
 *
 * <p>Drivers reference it optionally: without the service (no libvirt bundle) they unmount as
 * before. When it throws, the guests are unknown, and a driver must keep the mount (a stopped
 * libvirtd does not stop its guests) and answer {@link DisconnectOutcome#KEPT_IN_USE_BY_GUEST}
 * or {@link MountInUseByGuestException} as for a guest found. Each call reads the hypervisor
 * afresh (no cache); it may block for as long as libvirt takes to answer or time out.
 */
@ProviderType
public interface GuestUsage {

    /**
     * @param mountDirectory an absolute mount directory
     * @return the guests with a disk file below it, sorted by name; empty if none
     * @throws HypervisorException if the hypervisor cannot be asked, or a domain cannot be read
     *         (then no answer is safe)
     * @throws IllegalArgumentException if the directory is not absolute and normalized
     */
    List<GuestRef> guestsUsing(Path mountDirectory) throws HypervisorException;

    /**
     * The same for several directories in one pass over the domains, for listings.
     *
     * @param mountDirectories absolute mount directories
     * @return every given directory with its guests (an empty list for none)
     * @throws HypervisorException if the hypervisor cannot be asked, or a domain cannot be read
     * @throws IllegalArgumentException if a directory is not absolute and normalized
     */
    Map<Path, List<GuestRef>> guestsUsing(Collection<Path> mountDirectories) throws HypervisorException;
}
