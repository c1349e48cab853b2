package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.Redactor;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeLocation;

/**
 * Whether a guest's disk source is one of this driver's volume files (F5), for the SPI's
 * {@code ownerOf}: exactly {@code <base>/<md5 directory>/<volume name>}, the directory a Quobyte
 * mount now (by the mount table, which names mount points by their real path, so no component from
 * the base down is a symlink), nothing mounted over the file, the name one this driver accepts,
 * and the file, if it is there, a regular file and no symlink. Nothing is mounted, created or run.
 * A source is domain XML, which whoever defined the domain wrote: hostile input.
 *
 * <p>Bounded in time: the mount table and the base are local; the only looks through the FUSE
 * mount are its health probe and the file's {@code lstat}, each on a worker with
 * {@code probe.timeout.ms}, and the second only after the first found the mount healthy.
 */
final class VolumeOwnership {

    private final Settings settings;
    private final MountLayout layout;
    private final MountLifecycle lifecycle;
    private final HealthProbe probe;
    private final BoundedLstat lstat;

    VolumeOwnership(Settings settings, MountLayout layout, MountLifecycle lifecycle, HealthProbe probe, BoundedLstat lstat) {
        this.settings = settings;
        this.layout = layout;
        this.lifecycle = lifecycle;
        this.probe = probe;
        this.lstat = lstat;
    }

    /**
     * @param source an absolute, lexically normalized disk source
     * @return where the volume file is, or empty if the path is not below the mount base
     * @throws VolumeDriverException if it is below the base but refused: {@link UnsafePathException}
     *         for a path that can never be a volume file here, {@link MountUnhealthyException} for
     *         a mount that is not there or does not answer
     */
    Optional<VolumeLocation> ownerOf(Path source) throws VolumeDriverException {
        return locate(source, null);
    }

    /**
     * {@link #ownerOf} for a file that must be there: a regular file, no symlink.
     *
     * @param source the volume file, below the mount base
     * @param field the input field that named it, for the error when it is missing
     * @return where it is
     * @throws VolumeDriverException the refusal; {@link InvalidConnectionInfoException} naming
     *         {@code field} if the file does not exist
     */
    VolumeLocation existingFile(Path source, String field) throws VolumeDriverException {
        return locate(source, field).orElseThrow(() -> new UnsafePathException(field, "is not below the mount base " + layout.base()));
    }

    /** @param requiredBy the field naming a file that must exist, or null if it may be missing */
    private Optional<VolumeLocation> locate(Path source, String requiredBy) throws VolumeDriverException {
        Path base = layout.base();
        if (source == null || !source.isAbsolute() || !source.startsWith(base) || source.equals(base)) {
            return Optional.empty(); // compared by components: /mnt/ab is not below /mnt/a
        }
        String shown = Redactor.quote(source.toString());
        if (!source.normalize().equals(source)) {
            throw new UnsafePathException(shown, "is not a normalized path");
        }
        if (source.getNameCount() != base.getNameCount() + 2) {
            throw new UnsafePathException(shown, "is not <mount base>/<mount directory>/<volume file>");
        }
        Path dir = source.getParent();
        if (!layout.isMountDirectory(dir)) {
            throw new UnsafePathException(shown, "is not in a mount directory (32 hex digits) of " + base);
        }
        String name = source.getFileName().toString();
        try {
            VolumeValidator.resolveName(name, settings.volumeNamePattern, dir);
        } catch (InvalidConnectionInfoException e) {
            throw new UnsafePathException(shown, "its file name is not a volume name of this driver");
        }
        checkBase(base);
        requireQuobyteMount(dir, source);
        ProbeResult health = probe.probe(dir, settings.probeTimeout);
        if (!health.isHealthy()) {
            throw new MountUnhealthyException(dir.toString(), health.detail());
        }
        BoundedLstat.Kind kind = lstat.kind(source, dir, settings.probeTimeout);
        if (kind == BoundedLstat.Kind.SYMLINK) {
            throw new UnsafePathException(shown, "is a symbolic link");
        }
        if (kind == BoundedLstat.Kind.OTHER) {
            throw new UnsafePathException(shown, "is not a regular file");
        }
        if (requiredBy != null && kind == BoundedLstat.Kind.MISSING) {
            throw new InvalidConnectionInfoException(requiredBy, "names a volume file that does not exist in the export");
        }
        return Optional.of(new VolumeLocation(dir.toString(), name));
    }

    /**
     * {@link #ownerOf} again for a location a caller hands back: it must be the answer for its own path.
     *
     * @param where the location
     * @throws VolumeDriverException the refusal
     */
    void check(VolumeLocation where) throws VolumeDriverException {
        if (!ownerOf(where.path()).map(where::equals).orElse(false)) {
            throw new UnsafePathException(Redactor.quote(where.path().toString()), "is not below the mount base " + layout.base());
        }
    }

    /** The base was checked at start (B1); a symlink put in its place since is refused here. */
    private static void checkBase(Path base) throws UnsafePathException {
        try {
            BasicFileAttributes a = Files.readAttributes(base, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory() || a.isSymbolicLink()) {
                throw new UnsafePathException(base.toString(), "the mount base is no longer a plain directory");
            }
        } catch (IOException e) {
            throw new UnsafePathException(base.toString(), "the mount base cannot be inspected (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The Quobyte mount visible at the directory, with nothing mounted over the file. */
    private void requireQuobyteMount(Path dir, Path file) throws VolumeDriverException {
        List<MountEntry> table = lifecycle.tableOrNull();
        if (table == null) {
            throw new MountUnhealthyException(dir.toString(), "the mount table cannot be read");
        }
        Optional<MountEntry> m = MountTable.visibleAt(table, dir.toString());
        if (m.isEmpty()) {
            // not a mount point, so this lstat stays on the base's own file system
            if (Files.isSymbolicLink(dir)) {
                throw new UnsafePathException(dir.toString(), "is a symbolic link, not a mount directory");
            }
            throw new MountUnhealthyException(dir.toString(), "nothing is mounted there");
        }
        if (!lifecycle.isOurs(m.get())) {
            throw new UnsafePathException(dir.toString(), "another file system type is mounted there, not a Quobyte client");
        }
        if (MountTable.visibleAt(table, file.toString()).isPresent()) {
            throw new UnsafePathException(Redactor.quote(file.toString()), "something is mounted over the volume file");
        }
    }
}
