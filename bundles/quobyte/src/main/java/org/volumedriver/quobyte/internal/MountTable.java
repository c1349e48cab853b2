package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The mount table, read fresh on every call.
 */
public interface MountTable {

    /**
     * @return every entry, in table order
     * @throws IOException if the table cannot be read
     * @throws MountInfoParser.MalformedMountTableException if it cannot be parsed strictly
     */
    List<MountEntry> read() throws IOException, MountInfoParser.MalformedMountTableException;

    /**
     * The entry visible at a mount point: the last one in table order (mounts stacked later hide
     * earlier ones).
     *
     * @param entries a table
     * @param mountPoint the exact mount point
     * @return the visible entry, if anything is mounted there
     */
    static Optional<MountEntry> visibleAt(List<MountEntry> entries, String mountPoint) {
        MountEntry found = null;
        for (MountEntry e : entries) {
            if (!e.deleted() && e.mountPoint().equals(mountPoint)) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The kernel's table of this process's mount namespace. */
    final class Proc implements MountTable {
        private final Path file;

        /** Reads {@code /proc/self/mountinfo}. */
        public Proc() {
            this(Path.of("/proc/self/mountinfo"));
        }

        /** @param file the mountinfo file to read */
        public Proc(Path file) {
            this.file = file;
        }

        @Override
        public List<MountEntry> read() throws IOException, MountInfoParser.MalformedMountTableException {
            // bytes map 1:1 to chars; escapes decode to the same range, so paths compare exactly
            return MountInfoParser.parse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        }
    }
}
