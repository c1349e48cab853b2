package org.volumedriver.quobyte.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.UnsafePathException;
import org.volumedriver.spi.UnsupportedFormatException;

/**
 * The input rules A2–A4: export grammar, volume file name, format. Pure functions: nothing is
 * touched on disk.
 */
public final class VolumeValidator {

    /** The only accepted prefix, stripped once. */
    public static final String SCHEME = "quobyte://";
    /** At most this many registries. */
    public static final int MAX_REGISTRIES = 16;
    /** The allowed formats. */
    public static final List<String> FORMATS = List.of("raw", "qcow2");

    private static final String EXPORT_FIELD = "data.export";
    private static final Pattern VOLUME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern LABEL = Pattern.compile("_?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?");
    private static final Pattern DOTTED_DIGITS = Pattern.compile("[0-9.]+");
    private static final Pattern IPV4 = Pattern.compile("(?:0|[1-9][0-9]{0,2})(?:\\.(?:0|[1-9][0-9]{0,2})){3}");
    private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final String METACHARACTERS = ";&|$`<>()*?!{}~^%=+@#\\'\"";

    private VolumeValidator() {
    }

    /**
     * Validates an export (A2).
     *
     * @param export the export, with or without one leading {@code quobyte://}
     * @return the parsed export
     * @throws InvalidConnectionInfoException naming {@code data.export}
     */
    public static ExportSpec parseExport(String export) throws InvalidConnectionInfoException {
        if (export == null || export.isEmpty()) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, "is missing");
        }
        String s = export.startsWith(SCHEME) ? export.substring(SCHEME.length()) : export;
        if (s.length() > 16 * 260 + 130) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, "is too long");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7e) {
                throw new InvalidConnectionInfoException(EXPORT_FIELD, "must be ASCII (character " + i + ")");
            }
            if (c < 0x20 || c == 0x7f || c == ' ') {
                throw new InvalidConnectionInfoException(EXPORT_FIELD, "must not contain whitespace or control characters (character " + i + ")");
            }
            if (METACHARACTERS.indexOf(c) >= 0) {
                throw new InvalidConnectionInfoException(EXPORT_FIELD, "must not contain '" + c + "' (character " + i + ")");
            }
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, "must be registries/volume");
        }
        String registryPart = s.substring(0, slash);
        String volume = s.substring(slash + 1);
        if (volume.indexOf('/') >= 0) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, "must name exactly one volume after the registries (no further '/')");
        }
        if (volume.startsWith("-")) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, "volume must not start with '-'");
        }
        if (volume.equals(".") || volume.equals("..") || !VOLUME.matcher(volume).matches()) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, "volume must match " + VOLUME.pattern() + " and not be '.' or '..'");
        }
        if (registryPart.isEmpty()) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, "has no registry");
        }
        String[] parts = registryPart.split(",", -1);
        if (parts.length > MAX_REGISTRIES) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, "has more than " + MAX_REGISTRIES + " registries");
        }
        List<String> registries = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            checkRegistry(parts[i], i + 1);
            registries.add(parts[i]);
        }
        return new ExportSpec(s, registries, volume);
    }

    private static void checkRegistry(String registry, int n) throws InvalidConnectionInfoException {
        String where = "registry " + n + " ";
        if (registry.isEmpty()) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "is empty");
        }
        if (registry.startsWith("-")) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "must not start with '-'");
        }
        String host;
        String port = null;
        if (registry.startsWith("[")) {
            int close = registry.indexOf(']');
            if (close < 0) {
                throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "has an unclosed '['");
            }
            host = registry.substring(1, close);
            String rest = registry.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "has text after ']'");
                }
                port = rest.substring(1);
            }
            checkIpv6(host, where);
        } else {
            int colon = registry.indexOf(':');
            if (colon >= 0) {
                host = registry.substring(0, colon);
                port = registry.substring(colon + 1);
            } else {
                host = registry;
            }
            if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
                throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "has a misplaced bracket");
            }
            checkHost(host, where);
        }
        if (port != null && (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535)) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "port must be 1-65535 without sign or leading zeros");
        }
    }

    private static void checkIpv6(String host, String where) throws InvalidConnectionInfoException {
        if (!IPV6_CHARS.matcher(host).matches() || host.indexOf(':') < 0) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "is not an IPv6 address");
        }
        try {
            // only hex digits, ':' and '.' reach this point: a literal is parsed, nothing is looked up
            byte[] address = InetAddress.getByName("[" + host + "]").getAddress();
            if (address.length != 16 && address.length != 4) {
                throw new UnknownHostException();
            }
        } catch (UnknownHostException | RuntimeException e) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "is not an IPv6 address");
        }
    }

    private static void checkHost(String host, String where) throws InvalidConnectionInfoException {
        if (host.isEmpty()) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "has an empty host");
        }
        if (DOTTED_DIGITS.matcher(host).matches()) {
            if (!IPV4.matcher(host).matches()) {
                throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "is not an IPv4 address");
            }
            for (String octet : host.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "is not an IPv4 address");
                }
            }
            return;
        }
        if (host.length() > 253) {
            throw new InvalidConnectionInfoException(EXPORT_FIELD, where + "host name is longer than 253 characters");
        }
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !LABEL.matcher(label).matches()) {
                throw new InvalidConnectionInfoException(EXPORT_FIELD,
                        where + "host name labels must be 1-63 letters, digits or '-' (optionally after a leading '_'), not starting or ending with '-'");
            }
        }
    }

    /**
     * Validates a format (A4): exact and case-sensitive; absent means raw.
     *
     * @param format the {@code data.format} value, never {@code null} (the SPI defaults it)
     * @return the format
     * @throws UnsupportedFormatException naming {@code data.format}
     */
    public static String checkFormat(String format) throws UnsupportedFormatException {
        if (!FORMATS.contains(format)) {
            throw new UnsupportedFormatException("data.format", format, FORMATS);
        }
        return format;
    }

    /**
     * Validates a volume file name (A3) and resolves it inside the mount directory, compared
     * component by component.
     *
     * @param name the {@code data.name} value
     * @param pattern the configured allowlist pattern
     * @param mountDirectory the mount directory
     * @return the resolved volume path
     * @throws InvalidConnectionInfoException naming {@code data.name}
     * @throws UnsafePathException if the resolved path would leave the mount directory
     */
    public static Path resolveName(String name, Pattern pattern, Path mountDirectory)
            throws InvalidConnectionInfoException, UnsafePathException {
        return resolveName(name, "data.name", pattern, mountDirectory);
    }

    /**
     * {@link #resolveName(String, Pattern, Path)} for a file name given in another field.
     *
     * @param name the file name
     * @param field the field that gave it, named in the errors
     * @param pattern the anchored pattern it must match
     * @param mountDirectory the mount directory it must stay in
     * @return the resolved path
     * @throws InvalidConnectionInfoException naming the field
     * @throws UnsafePathException if it would leave the mount directory
     */
    public static Path resolveName(String name, String field, Pattern pattern, Path mountDirectory)
            throws InvalidConnectionInfoException, UnsafePathException {
        if (name == null || name.isEmpty()) {
            throw new InvalidConnectionInfoException(field, "is missing");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || name.equals(".") || name.equals("..")) {
            throw new InvalidConnectionInfoException(field, "must be a plain file name (no '/', '.', '..')");
        }
        if (name.startsWith("-")) {
            throw new InvalidConnectionInfoException(field, "must not start with '-'");
        }
        if (!pattern.matcher(name).matches()) {
            throw new InvalidConnectionInfoException(field, "does not match the volume name pattern " + pattern.pattern());
        }
        Path resolved = mountDirectory.resolve(name).normalize();
        // Path.startsWith compares whole components: /mnt/abc is not inside /mnt/ab
        if (!resolved.startsWith(mountDirectory) || !mountDirectory.equals(resolved.getParent())) {
            throw new UnsafePathException(field, "resolves outside the mount directory");
        }
        return resolved;
    }
}
