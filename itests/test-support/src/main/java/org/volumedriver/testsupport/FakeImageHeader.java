package org.volumedriver.testsupport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeLocation;

/**
 * The fake driver's look at a volume file's header: the qcow2 magic means qcow2, anything else
 * raw; for qcow2 the virtual size, the backing file's name and its declared format. Enough for
 * tests above the drivers; a real driver inspects the whole chain.
 */
final class FakeImageHeader {

    private static final int MAGIC = 0x514649fb; // "QFI\xfb"
    private static final int EXT_BACKING_FORMAT = 0xe2792aca;

    private FakeImageHeader() {
    }

    /**
     * @param where the volume file
     * @param field the parameter that named it, for errors
     * @return what its header says
     * @throws InvalidConnectionInfoException naming {@code field} if the file does not exist
     * @throws UnsafePathException if it is a symlink or not a regular file
     * @throws UnsafeImageException if its qcow2 header cannot be right
     */
    static VolumeImage read(VolumeLocation where, String field)
            throws InvalidConnectionInfoException, UnsafePathException, UnsafeImageException {
        Path file = where.path();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new InvalidConnectionInfoException(field, "names a volume file that does not exist");
        } catch (IOException e) {
            throw new UnsafePathException(file.toString(), "cannot be read: " + e.getClass().getSimpleName());
        }
        if (attrs.isSymbolicLink() || !attrs.isRegularFile()) {
            throw new UnsafePathException(file.toString(), "is not a regular file");
        }
        ByteBuffer buf = ByteBuffer.allocate(65536);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // the header and its extensions are in the first cluster
            }
        } catch (IOException e) {
            throw new UnsafePathException(file.toString(), "cannot be read: " + e.getClass().getSimpleName());
        }
        buf.flip();
        if (buf.limit() < 72 || buf.getInt(0) != MAGIC) {
            return new VolumeImage(where, VolumeImage.RAW, attrs.size(), attrs.size(), Optional.empty(), Optional.empty());
        }
        try {
            long virtualSize = buf.getLong(24);
            long backingOffset = buf.getLong(8);
            int backingSize = buf.getInt(16);
            Optional<String> backing = Optional.empty();
            Optional<String> backingFormat = Optional.empty();
            if (backingOffset != 0) {
                byte[] name = new byte[backingSize];
                buf.get((int) backingOffset, name);
                backing = Optional.of(leaf(new String(name, StandardCharsets.US_ASCII), where));
                backingFormat = backingFormat(buf);
            }
            return new VolumeImage(where, VolumeImage.QCOW2, virtualSize, attrs.size(), backing, backingFormat);
        } catch (RuntimeException e) {
            throw new UnsafeImageException("the qcow2 header cannot be right (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The backing file as a name in the volume's directory: given so, or as an absolute path there. */
    private static String leaf(String backing, VolumeLocation where) throws UnsafeImageException {
        if (backing.indexOf('/') < 0) {
            return backing;
        }
        Path p = Path.of(backing);
        if (!p.isAbsolute() || !p.normalize().equals(p) || !where.directory().equals(p.getParent())) {
            throw new UnsafeImageException("the backing file is outside the volume's directory");
        }
        return p.getFileName().toString();
    }

    /** The backing format header extension, after the header (72 bytes for version 2, its own length for 3). */
    private static Optional<String> backingFormat(ByteBuffer buf) {
        int pos = buf.getInt(4) >= 3 ? buf.getInt(100) : 72;
        while (pos + 8 <= buf.limit()) {
            int type = buf.getInt(pos);
            int length = buf.getInt(pos + 4);
            if (type == 0) {
                break;
            }
            if (type == EXT_BACKING_FORMAT) {
                byte[] format = new byte[length];
                buf.get(pos + 8, format);
                return Optional.of(new String(format, StandardCharsets.US_ASCII));
            }
            pos += 8 + ((length + 7) & ~7);
        }
        return Optional.empty();
    }
}
