package org.volumedriver.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.InvalidConnectionInfoException;

class ConnectionInfoInputTest {

    static final String JSON = "{\"driver_volume_type\":\"quobyte\",\"data\":{\"export\":\"quobyte://10.0.0.1/vol\","
            + "\"name\":\"volume-6f2c1f8e-0a41-4e0e-9d0c-9ad7f1f0a111\",\"format\":\"qcow2\"}}";

    @TempDir
    Path dir;

    @Test
    void readsTheJsonArgument() throws Exception {
        ConnectionInfo info = ConnectionInfoInput.read(JSON, null);
        assertEquals("quobyte", info.driverVolumeType());
        assertEquals("qcow2", info.format());
    }

    @Test
    void readsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("ci.json"), JSON);
        assertEquals(ConnectionInfo.fromJson(JSON), ConnectionInfoInput.read(null, file.toString()));
        assertEquals(ConnectionInfo.fromJson(JSON), ConnectionInfoInput.read("  ", file.toString()));
    }

    @Test
    void refusesBothAndNeither() throws IOException {
        Path file = Files.writeString(dir.resolve("ci.json"), JSON);
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> ConnectionInfoInput.read(JSON, file.toString()));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        IllegalArgumentException neither = assertThrows(IllegalArgumentException.class, () -> ConnectionInfoInput.read(null, null));
        assertTrue(neither.getMessage().contains("missing"), neither.getMessage());
    }

    @Test
    void refusesMissingFilesDirectoriesAndHugeFiles() throws IOException {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ConnectionInfoInput.read(null, dir.resolve("nope.json").toString()));
        assertTrue(missing.getMessage().contains("cannot be read"), missing.getMessage());

        IllegalArgumentException directory = assertThrows(IllegalArgumentException.class,
                () -> ConnectionInfoInput.read(null, dir.toString()));
        assertTrue(directory.getMessage().contains("not a regular file"), directory.getMessage());

        Path huge = dir.resolve("huge.json");
        Files.write(huge, new byte[(int) ConnectionInfoInput.MAX_FILE_BYTES + 1]);
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> ConnectionInfoInput.read(null, huge.toString()));
        assertTrue(tooBig.getMessage().contains("at most " + ConnectionInfoInput.MAX_FILE_BYTES), tooBig.getMessage());
    }

    @Test
    void refusesInvalidUtf8() throws IOException {
        Path file = dir.resolve("latin1.json");
        Files.write(file, "{\"driver_volume_type\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConnectionInfoInput.read(null, file.toString()));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void hostileJsonIsATypedRefusalThatDoesNotEchoSecrets() {
        InvalidConnectionInfoException duplicate = assertThrows(InvalidConnectionInfoException.class,
                () -> ConnectionInfoInput.read("{\"driver_volume_type\":\"a\",\"driver_volume_type\":\"b\",\"data\":{}}", null));
        assertEquals("connection_info", duplicate.field());

        InvalidConnectionInfoException broken = assertThrows(InvalidConnectionInfoException.class,
                () -> ConnectionInfoInput.read("{\"data\":{\"password\":\"hunter2\"", null));
        assertFalse(broken.getMessage().contains("hunter2"), broken.getMessage());

        InvalidConnectionInfoException notObject = assertThrows(InvalidConnectionInfoException.class,
                () -> ConnectionInfoInput.read("[1,2]", null));
        assertEquals("connection_info", notObject.field());
    }

    @Test
    void aBadPathIsAnArgumentError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConnectionInfoInput.read(null, "a\u0000b"));
        assertTrue(e.getMessage().contains("not a valid path"), e.getMessage());
        assertFalse(e.getMessage().contains("\u0000"));
    }

    @Test
    void jsonWhereANameBelongsIsCaught() {
        assertEquals("vm1", ConnectionInfoInput.requireName("vm1", "instance", "usage"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConnectionInfoInput.requireName(JSON, "instance", "volume:connect <instance> [<ci>]"));
        assertEquals("the instance is missing before the connection info; usage: volume:connect <instance> [<ci>]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConnectionInfoInput.requireName("[1]", "domain", "u"));
    }
}
