package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.spi.UnsafePathException;

/**
 * Checks a volume file before it is handed to the hypervisor (A5): it must be a regular file (no
 * symlink), and a qcow2 image must have the right magic, version 2 or 3, no external data file, no
 * unknown incompatible features, and a backing chain that stays in the same directory with names
 * matching the volume name pattern. A backing file whose format the image above it does not
 * declare is opened by qemu after probing its content: it must then not look like any image format
 * but raw and qcow2 (a vmdk descriptor, for one, can name any file on the host).
 *
 * <p>{@link #inspect} tells, after the same checks, what a file's own header says (format, sizes,
 * the direct backing file and its declared format) for {@code inspectImage}.
 */
public final class Qcow2Inspector {

    static final int MAGIC = 0x514649fb; // "QFI\xfb"
    static final long INCOMPAT_DIRTY = 1L;
    static final long INCOMPAT_CORRUPT = 1L << 1;
    static final long INCOMPAT_DATA_FILE = 1L << 2;
    static final long INCOMPAT_COMPRESSION = 1L << 3;
    static final long INCOMPAT_EXTENDED_L2 = 1L << 4;
    static final long KNOWN_INCOMPAT = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE | INCOMPAT_COMPRESSION | INCOMPAT_EXTENDED_L2;
    static final int EXT_END = 0;
    static final int EXT_BACKING_FORMAT = 0xe2792aca;
    static final int EXT_DATA_FILE = 0x44415441;
    static final int MAX_CHAIN = 16;
    private static final int MAX_BACKING_NAME = 1023;

    private Qcow2Inspector() {
    }

    /**
     * Checks the volume file.
     *
     * @param file the volume file (already resolved inside the mount directory)
     * @param format {@code raw} or {@code qcow2}
     * @param names the volume name pattern backing files must match
     * @throws UnsafeImageException if a qcow2 header is refused
     * @throws UnsafePathException if the file is not a regular file
     * @throws InvalidConnectionInfoException if the file does not exist
     */
    public static void check(Path file, String format, Pattern names)
            throws UnsafeImageException, UnsafePathException, InvalidConnectionInfoException {
        requireRegular(file, "data.name");
        if ("qcow2".equals(format)) {
            inspectChain(file, names);
        }
    }

    /**
     * What a volume file's header says: the qcow2 magic means qcow2 (checked with its whole chain
     * as {@link #check} does), anything else raw. The connection info's format plays no part.
     *
     * @param file the volume file (already resolved inside the mount directory)
     * @param names the volume name pattern backing files must match
     * @param field the input field that named the file, for errors
     * @return the format, the sizes and the direct backing file
     * @throws UnsafeImageException if a qcow2 header or its chain is refused
     * @throws UnsafePathException if the file is not a regular file
     * @throws InvalidConnectionInfoException if the file does not exist
     */
    static Image inspect(Path file, Pattern names, String field)
            throws UnsafeImageException, UnsafePathException, InvalidConnectionInfoException {
        long fileSize = requireRegular(file, field).size();
        Header h = readHeader(file);
        if (h == null) {
            return new Image("raw", fileSize, fileSize, null, null);
        }
        inspectChain(file, names);
        String backing = h.backingName == null ? null : backingPath(file.getParent(), h.backingName, names).getFileName().toString();
        return new Image("qcow2", h.virtualSize, fileSize, backing, h.backingName == null ? null : h.backingFormat);
    }

    /**
     * What {@link #inspect} found.
     *
     * @param format {@code raw} or {@code qcow2}
     * @param virtualSize the size the guest sees (a raw file's own size)
     * @param fileSize the file's size
     * @param backingName the direct backing file's name in the same directory, or null
     * @param backingFormat its format as the header declares it, or null when undeclared
     */
    record Image(String format, long virtualSize, long fileSize, String backingName, String backingFormat) {

        /** @return whether the backing file's format is left to qemu's probing */
        boolean backingFormatUndeclared() {
            return backingName != null && backingFormat == null;
        }
    }

    private static BasicFileAttributes requireRegular(Path file, String field) throws UnsafePathException, InvalidConnectionInfoException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new InvalidConnectionInfoException(field, "names a volume file that does not exist in the export");
        } catch (IOException e) {
            throw new UnsafePathException(field, "the volume file cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (attrs.isSymbolicLink()) {
            throw new UnsafePathException(field, "the volume file is a symbolic link");
        }
        if (!attrs.isRegularFile()) {
            throw new UnsafePathException(field, "the volume file is not a regular file");
        }
        return attrs;
    }

    private static void inspectChain(Path file, Pattern names) throws UnsafeImageException, UnsafePathException, InvalidConnectionInfoException {
        Set<Path> seen = new HashSet<>();
        Path current = file;
        String declared = "qcow2";
        for (int depth = 0; current != null; depth++) {
            if (depth >= MAX_CHAIN) {
                throw new UnsafeImageException("the backing chain is longer than " + MAX_CHAIN);
            }
            if (!seen.add(current)) {
                throw new UnsafeImageException("the backing chain has a loop");
            }
            Header h = readHeader(current);
            if (h == null) {
                if (depth == 0) {
                    throw new UnsafeImageException("format qcow2 was given but the file has no qcow2 header");
                }
                if (declared == null) {
                    String probed = probedFormat(current);
                    if (probed != null) {
                        throw new UnsafeImageException("the backing file has no declared format and looks like " + probed
                                + ", which qemu would detect and open as such");
                    }
                }
                return; // a raw backing file
            }
            if (h.backingName == null) {
                return;
            }
            if (h.backingFormat != null && !h.backingFormat.equals("raw") && !h.backingFormat.equals("qcow2")) {
                throw new UnsafeImageException("the backing file format is not raw or qcow2");
            }
            Path backing = backingPath(file.getParent(), h.backingName, names);
            requireRegular(backing, "data.name (backing file)");
            declared = h.backingFormat;
            current = backing;
        }
    }

    /** Magic bytes at offset 0 of the image formats qemu detects by content, other than qcow2. */
    private static final Map<String, byte[]> SIGNATURES = Map.ofEntries(
            Map.entry("vmdk", ascii("KDMV")),
            Map.entry("vmdk (VMware 3)", ascii("COWD")),
            Map.entry("vhdx", ascii("vhdxfile")),
            Map.entry("vpc", ascii("conectix")),
            Map.entry("qed", new byte[] { 'Q', 'E', 'D', 0 }),
            Map.entry("bochs", ascii("Bochs Virtual HD Image")),
            Map.entry("parallels", ascii("WithoutFreeSpace")),
            Map.entry("parallels (extended)", ascii("WithouFreSpacExt")),
            Map.entry("luks", new byte[] { 'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe }),
            Map.entry("cloop", ascii("#!/bin/sh\n#V2.0 Format\n")));
    /** vdi's signature, little-endian at offset 64. */
    private static final int VDI_SIGNATURE = 0xbeda107f;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param file a file that is not qcow2
     * @return the format qemu's content probing would find in it other than raw, or {@code null}
     */
    static String probedFormat(Path file) throws UnsafeImageException {
        if (file.getFileName().toString().endsWith(".dmg")) {
            return "dmg"; // qemu's dmg driver claims files by this suffix alone
        }
        byte[] head = new byte[512];
        int n = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(head);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // the first sector is all the probes look at
            }
            n = buf.position();
        } catch (IOException e) {
            throw new UnsafeImageException("the backing file cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        for (Map.Entry<String, byte[]> s : SIGNATURES.entrySet()) {
            byte[] magic = s.getValue();
            if (n >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length)) {
                return s.getKey();
            }
        }
        if (n >= 68 && ByteBuffer.wrap(head, 64, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() == VDI_SIGNATURE) {
            return "vdi";
        }
        if (looksLikeVmdkDescriptor(head, n)) {
            return "vmdk (descriptor)";
        }
        return null;
    }

    /** qemu's vmdk probe: after comment lines and spaces, the first line is {@code version=1}, 2 or 3. */
    private static boolean looksLikeVmdkDescriptor(byte[] head, int n) {
        int p = 0;
        while (p < n) {
            if (head[p] == '#') {
                while (p < n && head[p] != '\n') {
                    p++;
                }
                p++;
            } else if (head[p] == ' ' || head[p] == '\n' || head[p] == '\r' || head[p] == '\t') {
                p++;
            } else {
                String line = new String(head, p, Math.min(11, n - p), StandardCharsets.US_ASCII);
                return line.matches("(?s)version=[123]\r?\n.*");
            }
        }
        return false;
    }

    static Path backingPath(Path directory, String backingName, Pattern names) throws UnsafeImageException {
        String leaf = backingName;
        if (backingName.startsWith("/")) {
            Path p = Path.of(backingName).normalize();
            if (!directory.equals(p.getParent())) {
                throw new UnsafeImageException("the backing file is outside the volume's directory");
            }
            leaf = p.getFileName().toString();
            if (!p.toString().equals(backingName)) {
                throw new UnsafeImageException("the backing file name is not normalized");
            }
        }
        if (leaf.indexOf('/') >= 0 || leaf.equals(".") || leaf.equals("..") || leaf.contains(":")
                || !names.matcher(leaf).matches()) {
            throw new UnsafeImageException("the backing file name does not match the volume name pattern");
        }
        Path resolved = directory.resolve(leaf).normalize();
        if (!directory.equals(resolved.getParent())) {
            throw new UnsafeImageException("the backing file is outside the volume's directory");
        }
        return resolved;
    }

    /** The parts of a header that matter here. */
    record Header(int version, String backingName, String backingFormat, long virtualSize) {
    }

    /**
     * @return the header, or {@code null} if the file does not start with the qcow2 magic
     */
    static Header readHeader(Path file) throws UnsafeImageException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(65536).order(ByteOrder.BIG_ENDIAN);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read what there is, at most one cluster's worth of header
            }
            buf.flip();
            if (buf.remaining() < 4 || buf.getInt(0) != MAGIC) {
                return null;
            }
            return parse(buf, ch.size());
        } catch (IOException e) {
            throw new UnsafeImageException("the image header cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    static Header parse(ByteBuffer buf, long fileSize) throws UnsafeImageException {
        int limit = buf.limit();
        if (limit < 72) {
            throw new UnsafeImageException("the qcow2 header is truncated");
        }
        int version = buf.getInt(4);
        if (version != 2 && version != 3) {
            throw new UnsafeImageException("qcow2 version " + version + " is not 2 or 3");
        }
        long backingOffset = buf.getLong(8);
        int backingSize = buf.getInt(16);
        long virtualSize = buf.getLong(24);
        if (virtualSize < 0) {
            throw new UnsafeImageException("the qcow2 virtual size is out of range");
        }
        int headerLength = 72;
        if (version == 3) {
            if (limit < 104) {
                throw new UnsafeImageException("the qcow2 v3 header is truncated");
            }
            long incompatible = buf.getLong(72);
            if ((incompatible & INCOMPAT_DATA_FILE) != 0) {
                throw new UnsafeImageException("the image uses an external data file");
            }
            if ((incompatible & INCOMPAT_CORRUPT) != 0) {
                throw new UnsafeImageException("the image is marked corrupt");
            }
            if ((incompatible & ~KNOWN_INCOMPAT) != 0) {
                throw new UnsafeImageException("the image has unknown incompatible features 0x"
                        + Long.toHexString(incompatible & ~KNOWN_INCOMPAT));
            }
            headerLength = buf.getInt(100);
            if (headerLength < 104 || headerLength > limit || (headerLength & 7) != 0) {
                throw new UnsafeImageException("the qcow2 header length is invalid");
            }
        }
        String backingFormat = null;
        int pos = headerLength;
        // header extensions follow the header, each 8-byte aligned, ended by type 0
        while (true) {
            if (pos + 8 > limit) {
                throw new UnsafeImageException("the qcow2 header extensions are truncated");
            }
            int type = buf.getInt(pos);
            int len = buf.getInt(pos + 4);
            if (type == EXT_END) {
                break;
            }
            if (len < 0 || pos + 8L + len > limit) {
                throw new UnsafeImageException("a qcow2 header extension is truncated");
            }
            if (type == EXT_DATA_FILE) {
                throw new UnsafeImageException("the image names an external data file");
            }
            if (type == EXT_BACKING_FORMAT) {
                byte[] b = new byte[len];
                buf.get(pos + 8, b);
                backingFormat = new String(b, StandardCharsets.US_ASCII);
            }
            pos += 8 + ((len + 7) & ~7);
        }
        String backingName = null;
        if (backingOffset != 0) {
            if (backingSize <= 0 || backingSize > MAX_BACKING_NAME || backingOffset < 0
                    || backingOffset + backingSize > limit || backingOffset + backingSize > fileSize) {
                throw new UnsafeImageException("the backing file name is out of bounds");
            }
            byte[] name = new byte[backingSize];
            buf.get((int) backingOffset, name);
            for (byte c : name) {
                if (c < 0x21 || c > 0x7e) {
                    throw new UnsafeImageException("the backing file name has non-printable or non-ASCII characters");
                }
            }
            backingName = new String(name, StandardCharsets.US_ASCII);
        }
        return new Header(version, backingName, backingFormat, virtualSize);
    }
}
