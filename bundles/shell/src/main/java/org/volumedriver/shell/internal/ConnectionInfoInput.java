package org.volumedriver.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.Redactor;

/**
 * Reads connection info given on the command line: either as a JSON argument or from a file named
 * with {@code --file}, never both. The file is read with a size cap, as strict UTF-8, and must be a
 * regular file; the JSON itself is checked by {@link ConnectionInfo#fromJson(String)}.
 */
public final class ConnectionInfoInput {

    /** The largest file accepted, in bytes: enough for the largest JSON text the SPI accepts. */
    public static final long MAX_FILE_BYTES = 4L * ConnectionInfo.MAX_JSON_CHARS;

    private ConnectionInfoInput() {
    }

    /**
     * @param json the JSON argument, or {@code null}
     * @param file the {@code --file} value, or {@code null}
     * @return the parsed connection info
     * @throws IllegalArgumentException if neither or both are given, or the file cannot be read
     * @throws InvalidConnectionInfoException if the text is not valid connection info
     */
    public static ConnectionInfo read(String json, String file) throws InvalidConnectionInfoException {
        boolean hasJson = json != null && !json.isBlank();
        boolean hasFile = file != null && !file.isBlank();
        if (hasJson && hasFile) {
            throw new IllegalArgumentException("give the connection info either as an argument or with --file, not both");
        }
        if (!hasJson && !hasFile) {
            throw new IllegalArgumentException("connection info is missing: give it as a JSON argument in single quotes or with --file <path>");
        }
        return ConnectionInfo.fromJson(hasJson ? json : readFile(file));
    }

    /**
     * Catches connection info given where a name belongs (the instance or domain left out), so the
     * administrator gets the usage instead of a confusing complaint about missing connection info.
     *
     * @param value the positional argument that should be a name
     * @param what what it should be, for example {@code instance}
     * @param usage the command's usage line
     * @return the value
     * @throws IllegalArgumentException if the value looks like JSON
     */
    public static String requireName(String value, String what, String usage) {
        if (value != null && (value.startsWith("{") || value.startsWith("["))) {
            throw new IllegalArgumentException("the " + what + " is missing before the connection info; usage: " + usage);
        }
        return value;
    }

    static String readFile(String name) {
        Path path;
        try {
            path = Path.of(name);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--file " + Redactor.quote(name) + " is not a valid path");
        }
        String shown = Redactor.quote(name);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("--file " + shown + " cannot be read: it does not exist or is not accessible");
        }
        if (!attributes.isRegularFile()) {
            throw new IllegalArgumentException("--file " + shown + " is not a regular file");
        }
        if (attributes.size() > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("--file " + shown + " has " + attributes.size() + " bytes; at most "
                    + MAX_FILE_BYTES + " are accepted");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            // read one byte more than allowed, in case the file grew after the size check
            bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw new IllegalArgumentException("--file " + shown + " cannot be read");
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("--file " + shown + " has more than " + MAX_FILE_BYTES + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("--file " + shown + " is not valid UTF-8");
        }
    }
}
