package org.volumedriver.quobyte.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;

import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.InvalidConnectionInfoException;

/**
 * The text of the attachment journal (E7): the snapshot's lines, the log's CRC'd lines, and the
 * replay of both into entries. {@link Journal} does the files.
 *
 * <p>Lines: {@code M <md5> <export>} (a mount directory), {@code C <md5> <major:minor> <mount id>}
 * (the FUSE connection of the mount made or adopted there and the kernel's unique id of that
 * mount, 0 if unknown, D4), {@code A <md5> <volume> <instance>}
 * (attachment present), {@code R <md5> <volume> <instance>} (attachment removed),
 * {@code F <md5> <volume> <new volume> <instance>} (the attachment moved to another file of its
 * volume: removed under the first name, present under the second). Format 2 added {@code C},
 * format 3 {@code F} (log lines only: a snapshot lists attachments under their current names);
 * journals of formats 1 and 2 are read as well (format-1 mounts have no recorded connection).
 *
 * <p>An {@code A}, {@code R} or {@code C} line of the log whose directory neither the snapshot
 * nor an earlier log line names is skipped, not refused: the line was queued while a compaction
 * read the state in which that directory had just lost its last attachment, so the snapshot left
 * it out and the line landed in the new log, followed by the removals that emptied it. In the
 * snapshot, written from one state, every line must name a known directory.
 */
final class JournalFormat {

    /** The header this version writes. */
    static final String HEADER = "volumedriver-quobyte-journal 3";
    /** The header of journals written before attachments could move to another file. */
    static final String HEADER_V2 = "volumedriver-quobyte-journal 2";
    /** The header of journals written before connections were recorded. */
    static final String HEADER_V1 = "volumedriver-quobyte-journal 1";

    private JournalFormat() {
    }

    /**
     * @param text a line without CRC
     * @return the line with its CRC32 appended
     */
    static String withCrc(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.US_ASCII));
        String hex = Long.toHexString(crc.getValue());
        return text + " " + "00000000".substring(hex.length()) + hex;
    }

    /**
     * @param entries the state
     * @return the snapshot's text: header, then per directory its M, C and A lines
     */
    static String snapshot(Collection<Journal.Entry> entries) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Journal.Entry e : entries) {
            sb.append("M ").append(e.hash()).append(' ').append(e.export()).append('\n');
            if (e.connection() != null) {
                sb.append("C ").append(e.hash()).append(' ').append(e.connection()).append(' ').append(e.mountId()).append('\n');
            }
            for (Attachment a : new TreeSet<>(e.attachments())) {
                sb.append("A ").append(e.hash()).append(' ').append(a.volume()).append(' ').append(a.instance()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Replays a snapshot and a log.
     *
     * @param snapshot the snapshot's lines (header first)
     * @param log the log's text
     * @return the directories with at least one attachment
     * @throws IOException naming the first bad line (never its content)
     */
    static List<Journal.Entry> replay(List<String> snapshot, String log) throws IOException {
        if (snapshot.isEmpty() || !(HEADER.equals(snapshot.get(0)) || HEADER_V2.equals(snapshot.get(0)) || HEADER_V1.equals(snapshot.get(0)))) {
            throw new IOException("the journal has no valid header");
        }
        State state = new State();
        for (int i = 1; i < snapshot.size(); i++) {
            state.apply(snapshot.get(i), "journal line " + (i + 1), false);
        }
        String[] lines = log.split("\n", -1);
        // the element after the last '\n' is empty unless the last append was torn
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            int sp = line.lastIndexOf(' ');
            boolean last = i == lines.length - 2;
            if (sp <= 0 || !withCrc(line.substring(0, sp)).equals(line)) {
                if (last) {
                    break; // torn final append
                }
                throw new IOException("journal log line " + (i + 1) + " is corrupt");
            }
            state.apply(line.substring(0, sp), "journal log line " + (i + 1), true);
        }
        return state.entries();
    }

    /** The facts replayed so far, per mount directory. */
    private static final class State {
        private final Map<String, String> exports = new LinkedHashMap<>();
        private final Map<String, Set<Attachment>> attachments = new LinkedHashMap<>();
        private final Map<String, String> connections = new LinkedHashMap<>();
        private final Map<String, Long> mountIds = new LinkedHashMap<>();

        /**
         * @param line a fact
         * @param where the line, for the error message
         * @param fromLog whether it is a log line: then one naming a directory nothing named yet is skipped
         */
        void apply(String line, String where, boolean fromLog) throws IOException {
            String[] f = line.split(" ", -1);
            try {
                if (fromLog && (f.length == 4 || f.length == 5) && !exports.containsKey(f[1]) && MountLayout.DIR_NAME.matcher(f[1]).matches()
                        && isWellFormedFact(f)) {
                    return; // queued across a compaction for a directory that had emptied out: see the class comment
                }
                if (f.length == 3 && f[0].equals("M") && MountLayout.DIR_NAME.matcher(f[1]).matches()) {
                    ExportSpec spec = VolumeValidator.parseExport(f[2]);
                    if (!MountLayout.hash(spec.stripped()).equals(f[1])) {
                        throw new IOException(where + " names a directory that does not match its export");
                    }
                    exports.put(f[1], spec.stripped());
                    attachments.putIfAbsent(f[1], new TreeSet<>());
                } else if (f.length == 4 && f[0].equals("C") && exports.containsKey(f[1])
                        && FuseConnection.parse(f[2]).isPresent() && f[3].matches("0|[1-9][0-9]{0,18}")) {
                    connections.put(f[1], f[2]);
                    mountIds.put(f[1], Long.parseLong(f[3]));
                } else if (f.length == 4 && f[0].equals("A") && exports.containsKey(f[1])) {
                    attachments.get(f[1]).add(new Attachment(f[2], f[3]));
                } else if (f.length == 4 && f[0].equals("R") && exports.containsKey(f[1])) {
                    attachments.get(f[1]).remove(new Attachment(f[2], f[3]));
                } else if (f.length == 5 && f[0].equals("F") && fromLog && exports.containsKey(f[1])) {
                    Attachment moved = new Attachment(f[3], f[4]);
                    attachments.get(f[1]).remove(new Attachment(f[2], f[4]));
                    attachments.get(f[1]).add(moved);
                } else {
                    throw new IOException(where + " is malformed");
                }
            } catch (InvalidConnectionInfoException | IllegalArgumentException e) {
                throw new IOException(where + " has an invalid value");
            }
        }

        private static boolean isWellFormedFact(String[] f) {
            if (f.length == 5) {
                new Attachment(f[2], f[4]); // refuses what no attachment can be
                new Attachment(f[3], f[4]);
                return f[0].equals("F");
            }
            if (f[0].equals("A") || f[0].equals("R")) {
                new Attachment(f[2], f[3]); // refuses what no attachment can be
                return true;
            }
            return f[0].equals("C") && FuseConnection.parse(f[2]).isPresent() && f[3].matches("0|[1-9][0-9]{0,18}");
        }

        List<Journal.Entry> entries() {
            List<Journal.Entry> out = new ArrayList<>();
            exports.forEach((hash, export) -> {
                Set<Attachment> set = attachments.get(hash);
                if (!set.isEmpty()) {
                    out.add(new Journal.Entry(hash, export, set, connections.get(hash), mountIds.getOrDefault(hash, 0L)));
                }
            });
            return out;
        }
    }
}
