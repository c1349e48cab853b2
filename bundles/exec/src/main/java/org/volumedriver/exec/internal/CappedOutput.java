package org.volumedriver.exec.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a child's stream to its end, keeping at most {@code cap} bytes and counting the rest, so
 * that a flood neither fills memory nor blocks the child on a full pipe.
 */
final class CappedOutput implements Runnable {

    private final InputStream in;
    private final int cap;
    /** Grows on demand up to {@code cap}: most commands print little or nothing. */
    private byte[] kept = new byte[0];
    private int keptLength;
    private long total;
    private volatile boolean done;

    CappedOutput(InputStream in, int cap) {
        this.in = in;
        this.cap = cap;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        try (InputStream stream = in) {
            int n;
            while ((n = stream.read(buffer)) >= 0) {
                synchronized (this) {
                    int room = cap - keptLength;
                    if (room > 0) {
                        int copy = Math.min(room, n);
                        if (keptLength + copy > kept.length) {
                            int grown = Math.max(keptLength + copy, Math.min(cap, Math.max(1024, kept.length * 2)));
                            kept = Arrays.copyOf(kept, grown);
                        }
                        System.arraycopy(buffer, 0, kept, keptLength, copy);
                        keptLength += copy;
                    }
                    total += n;
                }
            }
        } catch (IOException e) {
            // the stream was closed under us (the process is gone); what we have is the output
        } finally {
            done = true;
        }
    }

    boolean done() {
        return done;
    }

    synchronized String text() {
        return new String(Arrays.copyOf(kept, keptLength), StandardCharsets.UTF_8);
    }

    synchronized boolean truncated() {
        return total > keptLength;
    }

    synchronized long totalBytes() {
        return total;
    }
}
