package org.volumedriver.libvirt.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * qcow2 headers for the tests on libvirt's test driver, which never opens a file: a header is
 * written by hand (version 3, size, backing file name, backing format extension, data-file
 * extension) and read back as the test driver's {@code inspectImage} does. Real images for QEMU are
 * made with {@code qemu-img} in the real tests.
 */
final class Qcow2Files {

    static final int MAGIC = 0x514649fb;
    static final int BACKING_FORMAT_EXTENSION = 0xe2792aca;
    static final int DATA_FILE_EXTENSION = 0x44415441;
    private static final int HEADER_LENGTH = 104;

    /**
     * What a header says.
     *
     * @param size the virtual size
     * @param backingFile the backing file as written in the header
     * @param backingFormat the declared backing format
     * @param dataFile whether an external data file is named
     */
    record Header(long size, Optional<String> backingFile, Optional<String> backingFormat, boolean dataFile) {
    }

    private Qcow2Files() {
    }

    /**
     * Writes a qcow2 header (no clusters: enough for the test driver, not for QEMU).
     *
     * @param file where
     * @param size the virtual size
     * @param backingFile the backing file name, or {@code null}
     * @param backingFormat the declared backing format, or {@code null}
     * @param dataFile an external data file to name, or {@code null}
     * @throws IOException if writing fails
     */
    static void write(Path file, long size, String backingFile, String backingFormat, String dataFile) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        b.putInt(0, MAGIC);
        b.putInt(4, 3);
        b.putInt(20, 16);
        b.putLong(24, size);
        b.putInt(100, HEADER_LENGTH);
        int at = HEADER_LENGTH;
        if (backingFormat != null) {
            at = extension(b, at, BACKING_FORMAT_EXTENSION, backingFormat);
        }
        if (dataFile != null) {
            at = extension(b, at, DATA_FILE_EXTENSION, dataFile);
        }
        b.putInt(at, 0);
        b.putInt(at + 4, 0);
        at += 8;
        if (backingFile != null) {
            byte[] name = backingFile.getBytes(StandardCharsets.UTF_8);
            b.putLong(8, at);
            b.putInt(16, name.length);
            b.put(at, name);
        }
        Files.write(file, b.array());
    }

    private static int extension(ByteBuffer b, int at, int type, String value) {
        byte[] data = value.getBytes(StandardCharsets.UTF_8);
        b.putInt(at, type);
        b.putInt(at + 4, data.length);
        b.put(at + 8, data);
        return at + 8 + (data.length + 7) / 8 * 8;
    }

    /**
     * @param file a file
     * @return its qcow2 header, empty if it has none (a raw file)
     * @throws IOException if reading fails
     */
    static Optional<Header> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 104) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(0) != MAGIC) {
            return Optional.empty();
        }
        Optional<String> backing = Optional.empty();
        int length = b.getInt(16);
        if (length > 0) {
            backing = Optional.of(new String(bytes, (int) b.getLong(8), length, StandardCharsets.UTF_8));
        }
        Optional<String> format = Optional.empty();
        boolean dataFile = false;
        int at = b.getInt(4) >= 3 ? b.getInt(100) : 72;
        while (at + 8 <= bytes.length && b.getInt(at) != 0) {
            int type = b.getInt(at);
            int size = b.getInt(at + 4);
            if (type == BACKING_FORMAT_EXTENSION) {
                format = Optional.of(new String(bytes, at + 8, size, StandardCharsets.UTF_8));
            } else if (type == DATA_FILE_EXTENSION) {
                dataFile = true;
            }
            at += 8 + (size + 7) / 8 * 8;
        }
        return Optional.of(new Header(b.getLong(24), backing, format, dataFile));
    }
}
