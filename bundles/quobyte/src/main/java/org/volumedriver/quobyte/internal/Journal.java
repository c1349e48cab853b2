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
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.VolumeDriverException;

/**
 * The attachment journal (E7): a snapshot written atomically (temporary file, fsync, rename,
 * directory fsync) plus an append-only log of changes since that snapshot. Each change is a line
 * with a CRC; appends are fsynced and grouped, so concurrent operations on different exports
 * share one fsync. When the log grows past twice the snapshot (at least {@value #MIN_COMPACT}
 * lines) a new snapshot is written and the log is reset the same atomic way. Replaying a log over
 * a newer snapshot is harmless: each line sets a fact (attachment present or absent).
 *
 * <p>The lines and their replay are {@link JournalFormat}'s: a snapshot is a header and the
 * facts per mount directory; each log line is a fact followed by a space and a CRC32 in hex. A
 * torn last log line (a crash during the append) is ignored; any other malformed line makes the
 * journal unreadable.
 */
public final class Journal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    static final String HEADER = JournalFormat.HEADER;
    static final int MIN_COMPACT = 4096;

    /**
     * One journaled mount directory; {@code connection} ({@code major:minor}) may be null, and
     * {@code mountId} (the kernel's unique mount id) 0 when unknown.
     */
    public record Entry(String hash, String export, Set<Attachment> attachments, String connection, long mountId) {
        /** @param hash dir @param export export @param attachments attachments @param connection or null @param mountId or 0 */
        public Entry {
            attachments = Set.copyOf(attachments);
        }

        /** @param hash dir name @param export stripped export @param attachments attachments */
        public Entry(String hash, String export, Set<Attachment> attachments) {
            this(hash, export, attachments, null, 0);
        }
    }

    /** One change: a kind, the mount directory's name and up to three values. */
    public record Op(char kind, String hash, String a, String b, String c) {
        /**
         * @param hash mount directory name
         * @param export stripped export
         * @return a mount-directory fact
         */
        public static Op mount(String hash, String export) {
            return new Op('M', hash, export, null, null);
        }

        /**
         * @param hash mount directory name
         * @param at the attachment
         * @return an attachment added
         */
        public static Op add(String hash, Attachment at) {
            return new Op('A', hash, at.volume(), at.instance(), null);
        }

        /**
         * @param hash mount directory name
         * @param at the attachment
         * @return an attachment removed
         */
        public static Op remove(String hash, Attachment at) {
            return new Op('R', hash, at.volume(), at.instance(), null);
        }

        /**
         * @param hash mount directory name
         * @param from the attachment recorded until now
         * @param toVolume the volume file it names from now on
         * @return the attachment moved to another file of its volume, in one line so that no
         *         torn write can keep one half of the move
         */
        public static Op follow(String hash, Attachment from, String toVolume) {
            return new Op('F', hash, from.volume(), toVolume, from.instance());
        }

        /**
         * @param hash mount directory name
         * @param device the FUSE connection's {@code major:minor}
         * @param mountId the kernel's unique id of the mount, 0 if unknown
         * @return the connection of the mount made or adopted there (D4)
         */
        public static Op connection(String hash, String device, long mountId) {
            return new Op('C', hash, device, Long.toString(mountId), null);
        }

        String text() {
            StringBuilder sb = new StringBuilder().append(kind).append(' ').append(hash).append(' ').append(a);
            if (b != null) {
                sb.append(' ').append(b);
            }
            if (c != null) {
                sb.append(' ').append(c);
            }
            return sb.toString();
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
     * @param e why an awaited write failed
     * @return the typed failure a caller reports after undoing what the write was to record
     */
    static VolumeDriverException writeFailed(IOException e) {
        return new VolumeDriverException("JOURNAL_FAILED", "the attachment journal could not be written ("
                + e.getClass().getSimpleName() + ")", e);
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
        String text = JournalFormat.snapshot(entries);
        checkFault("snapshot");
        Path dir = file.getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
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
        return JournalFormat.withCrc(text);
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
        byte[] raw;
        try {
            raw = readRegular(logFile);
        } catch (NoSuchFileException e) {
            raw = new byte[0];
        }
        return JournalFormat.replay(lines == null ? List.of(HEADER) : lines, new String(raw, StandardCharsets.US_ASCII));
    }

    /** @return {@link #read()}, or nothing after moving an unreadable journal aside ({@code *.corrupt-<ms>}) */
    public List<Entry> readOrSetAside() {
        try {
            return read();
        } catch (IOException e) {
            LOG.error("attachment journal {} is unreadable ({}); moved aside, starting without recorded attachments", file, e.getMessage());
            long now = System.currentTimeMillis();
            for (Path p : List.of(file, logFile)) {
                try {
                    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.move(p, p.resolveSibling(p.getFileName() + ".corrupt-" + now), StandardCopyOption.ATOMIC_MOVE);
                    }
                } catch (IOException moveFailure) {
                    LOG.error("could not move the unreadable journal aside ({})", moveFailure.getClass().getSimpleName());
                }
            }
            return List.of();
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
