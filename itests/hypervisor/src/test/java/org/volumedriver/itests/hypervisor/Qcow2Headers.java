package org.volumedriver.itests.hypervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Edits of a qcow2 header that today's {@code qemu-img} refuses to make, for files an old or
 * hostile storage side could leave on the share.
 */
final class Qcow2Headers {

    /** The header extension that declares the backing file's format. */
    static final int BACKING_FORMAT = 0xE2792ACA;
    /** A header extension type QEMU does not know, and so skips. */
    static final int UNKNOWN = 0x0BADF00D;

    private Qcow2Headers() {
    }

    /**
     * Turns the backing-format extension of a version 3 header into one QEMU skips: the file keeps
     * its backing file, and its format is left for QEMU to probe.
     */
    static void hideBackingFormat(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(4096);
            channel.read(header, 0);
            assertEquals(3, header.getInt(4), "a version 3 header");
            int offset = header.getInt(100); // header_length: the extensions follow
            while (offset + 8 <= header.capacity()) {
                int type = header.getInt(offset);
                int length = header.getInt(offset + 4);
                if (type == 0) {
                    break;
                }
                if (type == BACKING_FORMAT) {
                    channel.write(ByteBuffer.allocate(4).putInt(0, UNKNOWN), offset);
                    return;
                }
                offset += 8 + ((length + 7) & ~7);
            }
            throw new AssertionError("no backing format extension in " + file);
        }
    }

    /**
     * Points the file at another backing file of a name just as long, as a storage side could
     * behind the hypervisor's back (the header only: QEMU keeps what it opened).
     */
    static void replaceBackingName(Path file, String backing) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(24);
            channel.read(header, 0);
            long offset = header.getLong(8);
            int length = header.getInt(16);
            byte[] name = backing.getBytes(StandardCharsets.US_ASCII);
            assertEquals(length, name.length, "the new backing name must be as long as the old one");
            channel.write(ByteBuffer.wrap(name), offset);
        }
    }
}
