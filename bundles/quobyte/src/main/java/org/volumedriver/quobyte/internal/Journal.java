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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.zip.CRC32;

import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.InvalidConnectionInfoException;

/**
 * The attachment journal (E7): a snapshot written atomically (temporary file, fsync, rename,
 * directory fsync) plus an append-only log of changes since that snapshot. Each change is a line
 * with a CRC; appends are fsynced and grouped, so concurrent operations on different exports
 * share one fsync. When the log grows past twice the snapshot (at least {@value #MIN_COMPACT}
 * lines) a new snapshot is written and the log is reset the same atomic way. Replaying a log over
 * a newer snapshot is harmless: each line sets a fact (attachment present or absent).
 *
 * <p>Snapshot: a header, then {@code M <md5> <export>} per mount directory and
 * {@code A <md5> <volume> <instance>} per attachment. Log lines: {@code M}, {@code A} or
 * {@code R} (attachment removed) followed by a space and a CRC32 in hex. A torn last log line (a
 * crash during the append) is ignored; any other malformed line makes the journal unreadable.
 */
public final class Journal implements AutoCloseable {

    static final String HEADER = "volumedriver-quobyte-journal 1";
    static final int MIN_COMPACT = 4096;

    /** One journaled mount directory. */
    public record Entry(String hash, String export, Set<Attachment> attachments) {
        /** @param hash dir name @param export stripped export @param attachments attachments */
        public Entry {
            attachments = Set.copyOf(attachments);
        }
    }

    /** One change. */
    public record Op(char kind, String hash, String a, String b) {
        /**
         * @param hash mount directory name
         * @param export stripped export
         * @return a mount-directory fact
         */
        public static Op mount(String hash, String export) {
            return new Op('M', hash, export, null);
        }

        /**
         * @param hash mount directory name
         * @param at the attachment
         * @return an attachment added
         */
        public static Op add(String hash, Attachment at) {
            return new Op('A', hash, at.volume(), at.instance());
        }

        /**
         * @param hash mount directory name
         * @param at the attachment
         * @return an attachment removed
         */
        public static Op remove(String hash, Attachment at) {
            return new Op('R', hash, at.volume(), at.instance());
        }

        String text() {
            return b == null ? kind + " " + hash + " " + a : kind + " " + hash + " " + a + " " + b;
        }
    }

    private final boolean sync;
    private final Path file;
    private final Path logFile;
    private final Supplier<Collection<Entry>> state;
    private final Object queueLock = new Object();
    private final ReentrantLock writer = new ReentrantLock();
    private final java.util.concurrent.locks.Condition written = writer.newCondition();
    private boolean writing;
    private List<String> pending = new ArrayList<>();
    private long enqueued;
    private volatile long flushed;
    private volatile boolean broken;
    private FileChannel log;
    private long logLines;
    private long compactAt = MIN_COMPACT;
    private final java.util.concurrent.atomic.AtomicLong syncs = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong syncNanos = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong appended = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong recoveries = new java.util.concurrent.atomic.AtomicLong();
    private volatile Fault fault;

    /** A write fault injected by tests (disk full, I/O error) before a write step. */
    @FunctionalInterface
    interface Fault {
        /**
         * @param step {@code "append"} or {@code "snapshot"}
         * @throws IOException to make that step fail
         */
        void before(String step) throws IOException;
    }

    /**
     * @param file the snapshot file; the log is {@code <file>.log}
     * @param state produces the current state for compaction
     */
    public Journal(Path file, Supplier<Collection<Entry>> state) {
        this(file, state, true);
    }

    /**
     * @param file the snapshot file; the log is {@code <file>.log}
     * @param state produces the current state for compaction
     * @param sync whether appends are fsynced (snapshots always are)
     */
    public Journal(Path file, Supplier<Collection<Entry>> state, boolean sync) {
        this.sync = sync;
        this.file = file;
        this.logFile = file.resolveSibling(file.getFileName() + ".log");
        this.state = state;
    }

    /** @return appended changes, log fsyncs and the time spent in them (ms), for the counters */
    public long[] statistics() {
        return new long[] { appended.get(), syncs.get(), syncNanos.get() / 1_000_000 };
    }

    /** @param f the fault to inject before each write step, or null for none (tests only) */
    void fault(Fault f) {
        fault = f;
    }

    /** @return how often a broken journal was repaired by a fresh snapshot */
    public long recoveries() {
        return recoveries.get();
    }

    /** @return whether the last write failed and no snapshot has repaired the journal since */
    public boolean isBroken() {
        return broken;
    }

    private void checkFault(String step) throws IOException {
        Fault f = fault;
        if (f != null) {
            f.before(step);
        }
    }

    /** @return the snapshot file */
    public Path file() {
        return file;
    }

    /**
     * Writes a fresh snapshot of the current state and opens an empty log; called once the
     * recovered state is reconciled.
     *
     * @throws IOException if the journal cannot be written
     */
    public void open() throws IOException {
        writer.lock();
        try {
            while (writing) {
                written.awaitUninterruptibly();
            }
            compact();
        } finally {
            writer.unlock();
        }
    }

    /**
     * Appends changes and returns once they are on disk (grouped with concurrent appends).
     *
     * @param ops the changes, in order
     * @throws IOException if they could not be made durable
     */
    public void append(List<Op> ops) throws IOException {
        await(enqueue(ops));
    }

    /**
     * Queues changes without waiting; the caller must {@link #await(long)} the ticket before it
     * reports success. Changes are written in the order they were queued.
     *
     * @param ops the changes, in order
     * @return the ticket
     */
    public long enqueue(List<Op> ops) {
        synchronized (queueLock) {
            for (Op op : ops) {
                pending.add(withCrc(op.text()));
            }
            enqueued += ops.size();
            return enqueued;
        }
    }

    /**
     * Returns once every change up to a ticket is on disk, writing them (and whatever else is
     * queued) if no other thread is doing so.
     *
     * @param mine the ticket from {@link #enqueue(List)}
     * @throws IOException if they could not be made durable
     */
    public void await(long mine) throws IOException {
        if (flushed >= mine) {
            return;
        }
        writer.lock();
        try {
            while (flushed < mine) {
                if (writing) {
                    // a write is under way: wait for it, then either we are covered or we lead the next one
                    written.awaitUninterruptibly();
                    continue;
                }
                if (log == null) {
                    throw new IOException("the journal is not open");
                }
                if (broken) {
                    // an earlier write failed: the log may end in a partial line and misses changes.
                    // Repair it with a fresh snapshot of the in-memory truth; if that fails too, stay broken.
                    recoverLocked();
                    continue;
                }
                List<String> batch;
                long upto;
                synchronized (queueLock) {
                    batch = pending;
                    pending = new ArrayList<>();
                    upto = enqueued;
                }
                writing = true;
                writer.unlock();
                IOException failure = null;
                try {
                    writeBatch(batch);
                } catch (IOException e) {
                    failure = e;
                } finally {
                    writer.lock();
                }
                if (failure != null) {
                    broken = true;
                    writing = false;
                    written.signalAll();
                    throw failure;
                }
                flushed = upto;
                logLines += batch.size();
                if (logLines > compactAt) {
                    // the batch is durable: its waiters go now instead of waiting for four more fsyncs,
                    // while later changes queue until the new snapshot and log are in place
                    written.signalAll();
                    writer.unlock();
                    try {
                        compact();
                    } catch (IOException e) {
                        // this batch is durable (in the log, or in the snapshot if the log was already
                        // replaced); the next await repairs the journal before writing anything else
                        broken = true;
                    } finally {
                        writer.lock();
                    }
                }
                writing = false;
                written.signalAll();
            }
        } finally {
            writer.unlock();
        }
    }

    /**
     * Replaces a broken journal by a snapshot of the current state and an empty log. Every queued
     * change was applied to the in-memory state before it was queued, so the snapshot (read after
     * the queue is taken) covers them all, including removals whose append failed.
     */
    private void recoverLocked() throws IOException {
        long upto;
        synchronized (queueLock) {
            pending = new ArrayList<>();
            upto = enqueued;
        }
        compact();
        flushed = Math.max(flushed, upto);
        recoveries.incrementAndGet();
    }

    /** Appends lines and syncs them; runs without the writer lock so that others can queue meanwhile. */
    private void writeBatch(List<String> batch) throws IOException {
        checkFault("append");
        StringBuilder sb = new StringBuilder(batch.size() * 96);
        for (String line : batch) {
            sb.append(line).append('\n');
        }
        ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
        while (buf.hasRemaining()) {
            log.write(buf);
        }
        if (sync) {
            long t0 = System.nanoTime();
            log.force(false);
            syncNanos.addAndGet(System.nanoTime() - t0);
            syncs.incrementAndGet();
        }
        appended.addAndGet(batch.size());
    }

    /** Writes a snapshot and starts an empty log; only with the writer lock held or as the one writing. */
    private void compact() throws IOException {
        Collection<Entry> entries = state.get();
        writeSnapshot(entries);
        Path dir = file.getParent();
        Path tmp = dir.resolve(logFile.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ch.force(true);
        }
        Files.move(tmp, logFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(dir);
        if (log != null) {
            log.close();
        }
        log = FileChannel.open(logFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS);
        logLines = 0;
        long size = entries.stream().mapToLong(e -> 1 + e.attachments().size()).sum();
        compactAt = Math.max(MIN_COMPACT, 2 * size);
        broken = false;
    }

    private void writeSnapshot(Collection<Entry> entries) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Entry e : entries) {
            sb.append("M ").append(e.hash()).append(' ').append(e.export()).append('\n');
            for (Attachment a : new TreeSet<>(e.attachments())) {
                sb.append("A ").append(e.hash()).append(' ').append(a.volume()).append(' ').append(a.instance()).append('\n');
            }
        }
        checkFault("snapshot");
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
        fsyncDirectory(dir);
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    static String withCrc(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.US_ASCII));
        String hex = Long.toHexString(crc.getValue());
        return text + " " + "00000000".substring(hex.length()) + hex;
    }

    /**
     * Reads the snapshot and replays the log.
     *
     * @return the entries (directories with at least one attachment); empty without a journal
     * @throws IOException if either file is unreadable or corrupt (the message names the line,
     *         never its content)
     */
    public List<Entry> read() throws IOException {
        List<String> lines = readLines(file);
        if (lines == null) {
            lines = List.of(HEADER);
        }
        if (lines.isEmpty() || !HEADER.equals(lines.get(0))) {
            throw new IOException("the journal has no valid header");
        }
        Map<String, String> exports = new LinkedHashMap<>();
        Map<String, Set<Attachment>> attachments = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            apply(lines.get(i), "journal line " + (i + 1), exports, attachments);
        }
        byte[] raw;
        try {
            raw = readRegular(logFile);
        } catch (NoSuchFileException e) {
            raw = new byte[0];
        }
        String text = new String(raw, StandardCharsets.US_ASCII);
        String[] logLines = text.split("\n", -1);
        // the element after the last '\n' is empty unless the last append was torn
        for (int i = 0; i < logLines.length - 1; i++) {
            String line = logLines[i];
            int sp = line.lastIndexOf(' ');
            boolean last = i == logLines.length - 2;
            if (sp <= 0 || !withCrc(line.substring(0, sp)).equals(line)) {
                if (last) {
                    break; // torn final append
                }
                throw new IOException("journal log line " + (i + 1) + " is corrupt");
            }
            apply(line.substring(0, sp), "journal log line " + (i + 1), exports, attachments);
        }
        List<Entry> out = new ArrayList<>();
        exports.forEach((hash, export) -> {
            Set<Attachment> set = attachments.get(hash);
            if (!set.isEmpty()) {
                out.add(new Entry(hash, export, set));
            }
        });
        return out;
    }

    private static void apply(String line, String where, Map<String, String> exports, Map<String, Set<Attachment>> attachments)
            throws IOException {
        String[] f = line.split(" ", -1);
        try {
            if (f.length == 3 && f[0].equals("M") && MountLayout.DIR_NAME.matcher(f[1]).matches()) {
                ExportSpec spec = VolumeValidator.parseExport(f[2]);
                if (!MountLayout.hash(spec.stripped()).equals(f[1])) {
                    throw new IOException(where + " names a directory that does not match its export");
                }
                exports.put(f[1], spec.stripped());
                attachments.putIfAbsent(f[1], new TreeSet<>());
            } else if (f.length == 4 && f[0].equals("A") && exports.containsKey(f[1])) {
                attachments.get(f[1]).add(new Attachment(f[2], f[3]));
            } else if (f.length == 4 && f[0].equals("R") && exports.containsKey(f[1])) {
                attachments.get(f[1]).remove(new Attachment(f[2], f[3]));
            } else {
                throw new IOException(where + " is malformed");
            }
        } catch (InvalidConnectionInfoException | IllegalArgumentException e) {
            throw new IOException(where + " has an invalid value");
        }
    }

    private static List<String> readLines(Path p) throws IOException {
        try {
            String text = new String(readRegular(p), StandardCharsets.US_ASCII);
            List<String> out = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
                out.remove(out.size() - 1);
            }
            return out;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static byte[] readRegular(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new IOException(p.getFileName() + " is not a regular file");
        }
        return Files.readAllBytes(p);
    }

    /**
     * Writes a final snapshot and closes the log.
     */
    @Override
    public void close() throws IOException {
        writer.lock();
        try {
            while (writing) {
                written.awaitUninterruptibly();
            }
            if (log != null) {
                compact();
                log.close();
                log = null;
            }
        } finally {
            writer.unlock();
        }
    }
}
