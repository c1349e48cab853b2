package org.volumedriver.libvirt.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.volumedriver.libvirt.internal.DomainScan.ScannedDomain;
import org.volumedriver.spi.GuestRef;
import org.volumedriver.spi.GuestUsage;
import org.volumedriver.spi.HypervisorException;
import org.volumedriver.spi.Redactor;

/**
 * The drivers' question before an unmount: which guests use a file below a mount directory. Every
 * domain is read afresh for each question, running guest and persistent definition, every source
 * of every disk (backing chain included); paths are compared lexically by components, nothing on
 * the mount is touched. A domain that cannot be read makes the answer unknown: an exception, never
 * a possibly wrong "nobody".
 */
@Component(service = GuestUsage.class)
public class GuestUsageImpl implements GuestUsage {

    private final LibvirtSessions sessions;

    /**
     * @param sessions libvirt sessions on the URI in force
     */
    @Activate
    public GuestUsageImpl(@Reference LibvirtSessions sessions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    @Override
    public List<GuestRef> guestsUsing(Path mountDirectory) throws HypervisorException {
        return guestsUsing(List.of(mountDirectory)).get(mountDirectory);
    }

    @Override
    public Map<Path, List<GuestRef>> guestsUsing(Collection<Path> mountDirectories) throws HypervisorException {
        List<Path> directories = mountDirectories.stream().map(GuestUsageImpl::checked).toList();
        List<ScannedDomain> domains;
        try (Libvirt libvirt = sessions.open()) {
            domains = DomainScan.scan(libvirt);
        }
        return using(directories, domains);
    }

    /**
     * @param directories absolute, normalized mount directories
     * @param domains every domain
     * @return each directory with the guests that have a disk path below it, sorted
     * @throws HypervisorException if a domain could not be read: then nobody can say it is unused
     */
    static Map<Path, List<GuestRef>> using(List<Path> directories, List<ScannedDomain> domains) throws HypervisorException {
        Map<Path, Set<GuestRef>> found = new LinkedHashMap<>();
        directories.forEach(d -> found.put(d, new TreeSet<>()));
        for (ScannedDomain domain : domains) {
            if (domain.problem().isPresent()) {
                throw new HypervisorException("find guests using a mount", -1, "domain " + domain.guest()
                        + " could not be read (" + domain.problem().get() + "), so whether it uses the mount is unknown", null);
            }
            for (DomainXml.DiskSources disk : domain.disks()) {
                for (String path : disk.allPaths()) {
                    lexical(path).ifPresent(p -> directories.stream().filter(d -> below(p, d))
                            .forEach(d -> found.get(d).add(domain.guest())));
                }
            }
        }
        Map<Path, List<GuestRef>> answer = new LinkedHashMap<>();
        found.forEach((d, guests) -> answer.put(d, List.copyOf(guests)));
        return answer;
    }

    /**
     * @param path a disk path from a domain definition
     * @return it normalized lexically ({@code .}, {@code ..} and empty components resolved), if it
     *         is an absolute path at all
     */
    static Optional<Path> lexical(String path) {
        try {
            Path p = Path.of(path);
            return p.isAbsolute() ? Optional.of(p.normalize()) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static boolean below(Path path, Path directory) {
        return path.startsWith(directory) && !path.equals(directory);
    }

    private static Path checked(Path directory) {
        if (directory == null || !directory.isAbsolute() || !directory.equals(directory.normalize()) || directory.getNameCount() == 0) {
            throw new IllegalArgumentException("mount directory " + Redactor.quote(String.valueOf(directory))
                    + " must be absolute and normalized");
        }
        return directory;
    }
}
