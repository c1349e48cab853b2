package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.VolumeDriverException;

/**
 * An {@code lstat} of a file on a mount that may hang, or any other look at files there (an image
 * header, {@link #look}), for at most a timeout: it runs on a worker thread, so a hung FUSE client
 * blocks that worker, never the caller. While a look into a mount directory has not returned, the
 * next one there is refused at once rather than piling up threads; at most {@value #MAX_WORKERS}
 * workers exist at once, idle ones end after 30 s.
 */
final class BoundedLstat {

    /** What is at a path, links not followed. */
    enum Kind {
        REGULAR, SYMLINK, OTHER, MISSING
    }

    static final int MAX_WORKERS = 8;

    private final ThreadPoolExecutor workers = new ThreadPoolExecutor(0, MAX_WORKERS, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "quobyte-lstat");
                t.setDaemon(true);
                return t;
            });
    private final ConcurrentHashMap<Path, Future<?>> blocked = new ConcurrentHashMap<>();
    private final Function<Path, Kind> lstat;

    BoundedLstat() {
        this(BoundedLstat::kindOf);
    }

    /** For tests: the look is given (e.g. one that blocks like a hung client). */
    BoundedLstat(Function<Path, Kind> lstat) {
        this.lstat = lstat;
    }

    /**
     * @param file the file
     * @param mountDir the mount directory it lies in
     * @param timeout how long the caller waits at most
     * @return what is there
     * @throws MountUnhealthyException if the look fails, does not answer in time, or an earlier
     *         one in that directory is still blocked
     */
    Kind kind(Path file, Path mountDir, Duration timeout) throws MountUnhealthyException {
        try {
            return look(mountDir, timeout, "lstat of a file on it", () -> lstat.apply(file));
        } catch (MountUnhealthyException e) {
            throw e;
        } catch (VolumeDriverException e) {
            throw new MountUnhealthyException(mountDir.toString(), "lstat of a file on it failed (" + e.code() + ")");
        }
    }

    /** A look at files on a mount: its typed refusals pass through, anything else is the mount's failure. */
    @FunctionalInterface
    interface Look<T> {
        /**
         * @return what was seen
         * @throws VolumeDriverException a typed refusal of what was seen
         */
        T call() throws VolumeDriverException;
    }

    /**
     * @param mountDir the mount directory the look goes into
     * @param timeout how long the caller waits at most
     * @param what the look, for messages
     * @param look the look itself
     * @return what it saw
     * @throws MountUnhealthyException if it fails, does not answer in time, or an earlier look in
     *         that directory is still blocked
     * @throws VolumeDriverException the look's own typed refusal
     */
    <T> T look(Path mountDir, Duration timeout, String what, Look<T> look) throws VolumeDriverException {
        Future<?> earlier = blocked.get(mountDir);
        if (earlier != null) {
            if (!earlier.isDone()) {
                throw new MountUnhealthyException(mountDir.toString(), "an earlier look at a file on it has not returned");
            }
            blocked.remove(mountDir, earlier);
        }
        Future<T> running;
        try {
            running = workers.submit(look::call);
        } catch (RejectedExecutionException e) {
            throw new MountUnhealthyException(mountDir.toString(), MAX_WORKERS + " looks at files on blocked mounts have not returned");
        }
        try {
            return running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            blocked.put(mountDir, running);
            throw new MountUnhealthyException(mountDir.toString(), what + " did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof VolumeDriverException refused) {
                throw refused;
            }
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw new MountUnhealthyException(mountDir.toString(), what + " failed (" + cause.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MountUnhealthyException(mountDir.toString(), "interrupted while looking at a file on it");
        }
    }

    private static Kind kindOf(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isSymbolicLink() ? Kind.SYMLINK : a.isRegularFile() ? Kind.REGULAR : Kind.OTHER;
        } catch (NoSuchFileException e) {
            return Kind.MISSING;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
