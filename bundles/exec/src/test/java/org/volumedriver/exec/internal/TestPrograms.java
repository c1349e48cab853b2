package org.volumedriver.exec.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

/** Small programs written to a temporary directory and allowlisted by absolute path. */
final class TestPrograms {

    private TestPrograms() {
    }

    /** Writes an executable {@code /bin/sh} script with mode 0700. */
    static Path script(Path dir, String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** A program that prints each of its arguments followed by a NUL byte. */
    static Path argvEcho(Path dir, String name) throws IOException {
        return script(dir, name, "for a in \"$@\"; do printf '%s\\0' \"$a\"; done");
    }

    /** Splits the output of {@link #argvEcho}. */
    static List<String> splitNul(String output) {
        if (output.isEmpty()) {
            return List.of();
        }
        if (!output.endsWith("\0")) {
            throw new AssertionError("argv echo output does not end in NUL: " + output);
        }
        return Arrays.asList(output.substring(0, output.length() - 1).split("\0", -1));
    }

    static long readPid(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).trim());
    }
}
