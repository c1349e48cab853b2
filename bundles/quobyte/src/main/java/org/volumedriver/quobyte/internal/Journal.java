package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.volumedriver.spi.Attachment;

/**
 * The attachment journal (E7): the whole state written to a temporary file, fsynced, renamed over
 * the journal and the directory fsynced, so a crash leaves either the old or the new state.
 * Concurrent commits are grouped: one writer writes a snapshot that covers every change made
 * before it started.
 *
 * <p>Format: a header line, then one {@code M <md5> <export>} line per mount directory and one
 * {@code A <md5> <volume> <instance>} line per attachment. Every field is validated on reading.
 */
public final class Journal {

    static final String HEADER = "volumedriver-quobyte-journal 1";

    /** One journaled mount directory. */
    public record Entry(String hash, String export, Set<Attachment> attachments) {
        /** @param hash dir name @param export stripped export @param attachments attachments */
        public Entry {
            attachments = Set.copyOf(attachments);
        }
    }

    private final Path file;
    private final Object writeLock = new Object();
    private long requested;
    private long written;
    private final Object counterLock = new Object();

    /** @param file the journal file */
    public Journal(Path file) {
        this.file = file;
    }

    /** @return the journal file */
    public Path file() {
        return file;
    }

    /**
     * Writes a snapshot that includes every change made before this call.
     *
     * @param snapshot produces the current state
     * @throws IOException if the journal cannot be written
     */
    public void commit(Supplier<Collection<Entry>> snapshot) throws IOException {
        long mine;
        synchronized (counterLock) {
            mine = ++requested;
        }
        synchronized (writeLock) {
            long target;
            synchronized (counterLock) {
                if (written >= mine) {
                    return; // a writer that started after our change already covered it
                }
                target = requested;
            }
            write(snapshot.get());
            synchronized (counterLock) {
                written = Math.max(written, target);
            }
        }
    }

    void write(Collection<Entry> entries) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Entry e : entries) {
            sb.append("M ").append(e.hash()).append(' ').append(e.export()).append('\n');
            for (Attachment a : new TreeSet<>(e.attachments())) {
                sb.append("A ").append(e.hash()).append(' ').append(a.volume()).append(' ').append(a.instance()).append('\n');
            }
        }
        Path dir = file.getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * Reads the journal.
     *
     * @return the entries; empty if there is no journal
     * @throws IOException if it cannot be read or is corrupt (the message names the line, never
     *         its content)
     */
    public List<Entry> read() throws IOException {
        List<String> lines;
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new IOException("the journal is not a regular file");
            }
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        if (lines.isEmpty() || !HEADER.equals(lines.get(0))) {
            throw new IOException("the journal has no valid header");
        }
        Map<String, String> exports = new LinkedHashMap<>();
        Map<String, Set<Attachment>> attachments = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ", -1);
            try {
                if (f.length == 3 && f[0].equals("M") && MountLayout.DIR_NAME.matcher(f[1]).matches()) {
                    ExportSpec spec = VolumeValidator.parseExport(f[2]);
                    if (!MountLayout.hash(spec.stripped()).equals(f[1])) {
                        throw new IOException("journal line " + (i + 1) + " names a directory that does not match its export");
                    }
                    exports.put(f[1], spec.stripped());
                    attachments.putIfAbsent(f[1], new TreeSet<>());
                } else if (f.length == 4 && f[0].equals("A") && exports.containsKey(f[1])) {
                    attachments.get(f[1]).add(new Attachment(f[2], f[3]));
                } else {
                    throw new IOException("journal line " + (i + 1) + " is malformed");
                }
            } catch (org.volumedriver.spi.InvalidConnectionInfoException | IllegalArgumentException e) {
                throw new IOException("journal line " + (i + 1) + " has an invalid value");
            }
        }
        List<Entry> out = new ArrayList<>();
        exports.forEach((hash, export) -> out.add(new Entry(hash, export, attachments.get(hash))));
        return out;
    }
}
