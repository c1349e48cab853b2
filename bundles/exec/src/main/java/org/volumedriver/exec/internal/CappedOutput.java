package org.volumedriver.exec.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One of a child's output streams, read only as far as it has bytes available (never blocking),
 * keeping at most {@code cap} bytes and counting the rest, so that a flood neither fills memory
 * nor blocks the child on a full pipe.
 */
final class CappedOutput {

    private final InputStream in;
    private final int cap;
    /** Grows on demand up to {@code cap}: most commands print little or nothing. */
    private byte[] kept = new byte[0];
    private int keptLength;
    private long total;
    private boolean closed;

    CappedOutput(InputStream in, int cap) {
        this.in = in;
        this.cap = cap;
    }

    /**
     * Reads what is available now, without blocking.
     *
     * @param buffer scratch space
     * @return whether any byte was read
     */
    boolean drainAvailable(byte[] buffer) {
        if (closed) {
            return false;
        }
        boolean any = false;
        try {
            int available;
            while ((available = in.available()) > 0) {
                int n = in.read(buffer, 0, Math.min(available, buffer.length));
                if (n < 0) {
                    closed = true;
                    break;
                }
                keep(buffer, n);
                any = true;
            }
        } catch (IOException e) {
            // the stream was closed (the process is gone): what we have is the output
            closed = true;
        }
        return any;
    }

    private void keep(byte[] buffer, int n) {
        int room = cap - keptLength;
        if (room > 0) {
            int copy = Math.min(room, n);
            if (keptLength + copy > kept.length) {
                kept = Arrays.copyOf(kept, Math.max(keptLength + copy, Math.min(cap, Math.max(1024, kept.length * 2))));
            }
            System.arraycopy(buffer, 0, kept, keptLength, copy);
            keptLength += copy;
        }
        total += n;
    }

    void close() {
        closed = true;
        try {
            in.close();
        } catch (IOException e) {
            // nothing more to read either way
        }
    }

    String text() {
        return new String(kept, 0, keptLength, StandardCharsets.UTF_8);
    }

    boolean truncated() {
        return total > keptLength;
    }
}
