package org.volumedriver.quobyte.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import org.volumedriver.testsupport.ProcStat;

/**
 * A separate process that stands for a guest's I/O on a volume file: it opens the file (while the
 * client still answers), waits for a go on its stdin, then makes one {@code read(2)} and prints
 * {@code ok <bytes>} or {@code errno <n>}. On a hung client that read blocks in the kernel. Perl
 * (Debian's essential perl-base) keeps the errno a number, so no error text is parsed.
 */
public final class BlockedReader implements AutoCloseable {

    private static final String SCRIPT = "open(my $f, '<', $ARGV[0]) or die \"open: $!\\n\"; $| = 1; print \"open\\n\";"
            + " <STDIN>; my $n = sysread($f, my $b, 65536);"
            + " print defined $n ? \"ok $n\\n\" : 'errno ' . ($! + 0) . \"\\n\";";
    // read(2) in /proc/<pid>/syscall
    private static final String READ_SYSCALL = "aarch64".equals(System.getProperty("os.arch")) ? "63" : "0";

    private final Process process;
    private final BufferedReader out;

    private BlockedReader(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    }

    /**
     * @param file the file to open now
     * @return the reader, with the file open, not reading yet
     * @throws IOException if it could not open the file
     */
    public static BlockedReader open(Path file) throws IOException {
        BlockedReader r = new BlockedReader(new ProcessBuilder("/usr/bin/perl", "-e", SCRIPT, file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        String line = r.out.readLine();
        if (!"open".equals(line)) {
            r.close();
            throw new IOException("the reader could not open " + file + ": " + line);
        }
        return r;
    }

    /** @return the reader's pid */
    public long pid() {
        return process.pid();
    }

    /** Lets the reader make its read(2). */
    public void read() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /**
     * @param within how long to wait for the reader to be inside read(2), asleep in the kernel
     * @return whether it is
     */
    public boolean awaitBlockedInRead(Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            if (blockedInRead()) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** @return whether the reader sleeps in read(2) now */
    public boolean blockedInRead() {
        try {
            String syscall = Files.readString(Path.of("/proc", Long.toString(pid()), "syscall")).strip();
            char state = ProcStat.state(pid()).orElse('X');
            return (state == 'S' || state == 'D') && syscall.split(" ")[0].equals(READ_SYSCALL);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @param within how long to wait for the read to return
     * @return the errno the read failed with, {@code 0} if it read data, empty if it is still blocked
     */
    public OptionalInt awaitResult(Duration within) throws InterruptedException, IOException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            return OptionalInt.empty();
        }
        String line = out.readLine();
        if (line != null && line.startsWith("errno ")) {
            return OptionalInt.of(Integer.parseInt(line.substring(6).strip()));
        }
        if (line != null && line.startsWith("ok ")) {
            return OptionalInt.of(0);
        }
        throw new IOException("the reader ended without a result: " + line);
    }

    /** @return whether the process has ended */
    public boolean ended() {
        return !process.isAlive();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
