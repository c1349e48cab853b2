package org.volumedriver.quobyte.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict parser of {@code /proc/<pid>/mountinfo} (see proc(5)). A malformed line fails the
 * whole table: a half-understood table must never look like "not mounted". Error messages name the
 * line number and the problem, never the line itself.
 */
public final class MountInfoParser {

    private static final String DELETED = "\\040(deleted)";

    private MountInfoParser() {
    }

    /** The table could not be parsed. */
    public static final class MalformedMountTableException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedMountTableException(int line, String problem) {
            super("mount table line " + line + ": " + problem);
        }
    }

    /**
     * @param text the whole table
     * @return the entries, in table order
     * @throws MalformedMountTableException on the first malformed line
     */
    public static List<MountEntry> parse(String text) throws MalformedMountTableException {
        List<MountEntry> out = new ArrayList<>(Math.max(16, text.length() / 120));
        int lineNo = 0;
        int start = 0;
        int len = text.length();
        String[] fields = new String[64];
        while (start < len) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = len;
            }
            lineNo++;
            if (end > start) {
                out.add(parseLine(text, start, end, lineNo, fields));
            } else if (end < len) {
                throw new MalformedMountTableException(lineNo, "empty line");
            }
            start = end + 1;
        }
        return out;
    }

    private static MountEntry parseLine(String text, int start, int end, int lineNo, String[] fields)
            throws MalformedMountTableException {
        int n = 0;
        int pos = start;
        while (pos <= end) {
            int sp = text.indexOf(' ', pos);
            if (sp < 0 || sp > end) {
                sp = end;
            }
            if (sp == pos) {
                throw new MalformedMountTableException(lineNo, "empty field");
            }
            if (n == fields.length) {
                throw new MalformedMountTableException(lineNo, "too many fields");
            }
            fields[n++] = text.substring(pos, sp);
            pos = sp + 1;
        }
        // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
        if (n < 10) {
            throw new MalformedMountTableException(lineNo, "too few fields");
        }
        int sep = -1;
        for (int i = 6; i < n; i++) {
            if ("-".equals(fields[i])) {
                sep = i;
                break;
            }
        }
        if (sep < 0) {
            throw new MalformedMountTableException(lineNo, "no ' - ' separator");
        }
        if (n - sep != 4) {
            throw new MalformedMountTableException(lineNo, "expected 3 fields after the separator, found " + (n - sep - 1));
        }
        int id = number(fields[0], lineNo, "mount id");
        int parent = number(fields[1], lineNo, "parent id");
        String device = fields[2];
        int colon = device.indexOf(':');
        if (colon <= 0 || colon == device.length() - 1) {
            throw new MalformedMountTableException(lineNo, "bad major:minor");
        }
        number(device.substring(0, colon), lineNo, "major");
        number(device.substring(colon + 1), lineNo, "minor");
        String rawMountPoint = fields[4];
        boolean deleted = rawMountPoint.endsWith(DELETED);
        if (deleted) {
            rawMountPoint = rawMountPoint.substring(0, rawMountPoint.length() - DELETED.length());
        }
        String root = decode(fields[3], lineNo, "root");
        String mountPoint = decode(rawMountPoint, lineNo, "mount point");
        if (!root.startsWith("/") || !mountPoint.startsWith("/")) {
            throw new MalformedMountTableException(lineNo, "root and mount point must be absolute");
        }
        for (int i = 6; i < sep; i++) {
            // optional fields are tag[:value]
            if (fields[i].isEmpty()) {
                throw new MalformedMountTableException(lineNo, "empty optional field");
            }
        }
        return new MountEntry(id, parent, device, root, mountPoint, decode(fields[5], lineNo, "options"),
                decode(fields[sep + 1], lineNo, "fstype"), decode(fields[sep + 2], lineNo, "source"),
                decode(fields[sep + 3], lineNo, "super options"), deleted);
    }

    private static int number(String s, int lineNo, String what) throws MalformedMountTableException {
        if (s.isEmpty() || s.length() > 10) {
            throw new MalformedMountTableException(lineNo, "bad " + what);
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new MalformedMountTableException(lineNo, "bad " + what);
            }
            v = v * 10 + (c - '0');
        }
        if (v > Integer.MAX_VALUE) {
            throw new MalformedMountTableException(lineNo, "bad " + what);
        }
        return (int) v;
    }

    /** Decodes the kernel's {@code \ooo} escapes (space, tab, newline, backslash, ...). */
    static String decode(String s, int lineNo, String what) throws MalformedMountTableException {
        int bs = s.indexOf('\\');
        if (bs < 0) {
            checkChars(s, lineNo, what);
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                if (c < 0x20 || c == 0x7f) {
                    throw new MalformedMountTableException(lineNo, "raw control character in " + what);
                }
                out.append(c);
                continue;
            }
            if (i + 3 >= s.length()) {
                throw new MalformedMountTableException(lineNo, "truncated escape in " + what);
            }
            int value = 0;
            for (int k = 1; k <= 3; k++) {
                char d = s.charAt(i + k);
                if (d < '0' || d > '7') {
                    throw new MalformedMountTableException(lineNo, "bad escape in " + what);
                }
                value = value * 8 + (d - '0');
            }
            if (value > 0xff) {
                throw new MalformedMountTableException(lineNo, "bad escape in " + what);
            }
            out.append((char) value);
            i += 3;
        }
        return out.toString();
    }

    private static void checkChars(String s, int lineNo, String what) throws MalformedMountTableException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new MalformedMountTableException(lineNo, "raw control character in " + what);
            }
        }
    }
}
