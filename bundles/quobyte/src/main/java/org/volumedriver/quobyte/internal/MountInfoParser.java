package org.volumedriver.quobyte.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict parser of {@code /proc/<pid>/mountinfo} (see proc(5)). A malformed line fails the
 * whole table: a half-understood table must never look like "not mounted". Error messages name the
 * line number and the problem, never the line itself. The only field the kernel can print empty is
 * the mount source (any user who may mount can choose it); it is accepted and decoded as "".
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
        int[] starts = new int[64];
        int[] ends = new int[64];
        String[] recent = new String[8]; // root, options, fstype, super options repeat a lot: reuse them (decoded, raw)
        while (start < len) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = len;
            }
            lineNo++;
            if (end > start) {
                out.add(parseLine(text, start, end, lineNo, starts, ends, recent));
            } else if (end < len) {
                throw new MalformedMountTableException(lineNo, "empty line");
            }
            start = end + 1;
        }
        return out;
    }

    /** Splits a line into fields by index (no copies), then builds the entry from the ranges. */
    private static MountEntry parseLine(String text, int start, int end, int lineNo, int[] starts, int[] ends, String[] recent)
            throws MalformedMountTableException {
        int n = 0;
        int pos = start;
        int sep = -1;
        while (pos <= end) {
            int sp = pos;
            while (sp < end && text.charAt(sp) != ' ') {
                sp++;
            }
            // only the mount source may be empty ("mount -t tmpfs '' /x"): it is the field after the
            // one after the separator, and the kernel then prints two spaces in a row
            if (sp == pos && !(sep >= 0 && n == sep + 2 && sp < end)) {
                throw new MalformedMountTableException(lineNo, "empty field");
            }
            if (n == starts.length) {
                throw new MalformedMountTableException(lineNo, "too many fields");
            }
            if (sep < 0 && n >= 6 && sp - pos == 1 && text.charAt(pos) == '-') {
                sep = n;
            }
            starts[n] = pos;
            ends[n] = sp;
            n++;
            pos = sp + 1;
        }
        // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
        if (n < 10) {
            throw new MalformedMountTableException(lineNo, "too few fields");
        }
        if (sep < 0) {
            throw new MalformedMountTableException(lineNo, "no ' - ' separator");
        }
        if (n - sep != 4) {
            throw new MalformedMountTableException(lineNo, "expected 3 fields after the separator, found " + (n - sep - 1));
        }
        int id = number(text, starts[0], ends[0], lineNo, "mount id");
        int parent = number(text, starts[1], ends[1], lineNo, "parent id");
        int colon = text.indexOf(':', starts[2]);
        if (colon <= starts[2] || colon >= ends[2] - 1) {
            throw new MalformedMountTableException(lineNo, "bad major:minor");
        }
        number(text, starts[2], colon, lineNo, "major");
        number(text, colon + 1, ends[2], lineNo, "minor");
        int mpEnd = ends[4];
        boolean deleted = text.startsWith(DELETED, mpEnd - DELETED.length()) && mpEnd - DELETED.length() > starts[4];
        if (deleted) {
            mpEnd -= DELETED.length();
        }
        String root = reuse(recent, 0, text, starts[3], ends[3], lineNo, "root");
        String mountPoint = decode(text, starts[4], mpEnd, lineNo, "mount point");
        if (root.isEmpty() || root.charAt(0) != '/' || mountPoint.isEmpty() || mountPoint.charAt(0) != '/') {
            throw new MalformedMountTableException(lineNo, "root and mount point must be absolute");
        }
        return new MountEntry(id, parent, text.substring(starts[2], ends[2]), root, mountPoint,
                reuse(recent, 1, text, starts[5], ends[5], lineNo, "options"),
                reuse(recent, 2, text, starts[sep + 1], ends[sep + 1], lineNo, "fstype"),
                decode(text, starts[sep + 2], ends[sep + 2], lineNo, "source"),
                reuse(recent, 3, text, starts[sep + 3], ends[sep + 3], lineNo, "super options"), deleted);
    }

    /** The previous line's value of a field if the raw text is the same (raw equal implies decoded equal). */
    private static String reuse(String[] recent, int slot, String text, int from, int to, int lineNo, String what)
            throws MalformedMountTableException {
        String last = recent[slot + 4];
        if (last != null && last.length() == to - from && text.regionMatches(from, last, 0, to - from)) {
            return recent[slot];
        }
        String decoded = decode(text, from, to, lineNo, what);
        recent[slot + 4] = text.substring(from, to);
        recent[slot] = decoded;
        return decoded;
    }

    private static int number(String s, int from, int to, int lineNo, String what) throws MalformedMountTableException {
        if (to <= from || to - from > 10) {
            throw new MalformedMountTableException(lineNo, "bad " + what);
        }
        long v = 0;
        for (int i = from; i < to; i++) {
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

    static String decode(String s, int lineNo, String what) throws MalformedMountTableException {
        return decode(s, 0, s.length(), lineNo, what);
    }

    /** Decodes the kernel's {@code \\ooo} escapes (space, tab, newline, backslash, ...) in {@code s[from, to)}. */
    static String decode(String s, int from, int to, int lineNo, String what) throws MalformedMountTableException {
        int bs = -1;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                bs = i;
                break;
            }
            if (c < 0x20 || c == 0x7f) {
                throw new MalformedMountTableException(lineNo, "raw control character in " + what);
            }
        }
        if (bs < 0) {
            return s.substring(from, to);
        }
        StringBuilder out = new StringBuilder(to - from);
        out.append(s, from, bs);
        for (int i = bs; i < to; i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                if (c < 0x20 || c == 0x7f) {
                    throw new MalformedMountTableException(lineNo, "raw control character in " + what);
                }
                out.append(c);
                continue;
            }
            if (i + 3 >= to) {
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
}
