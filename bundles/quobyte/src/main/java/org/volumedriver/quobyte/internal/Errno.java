package org.volumedriver.quobyte.internal;

import java.util.Map;
import java.util.Set;

/** Linux errno numbers the driver decides on (generic and x86-64 numbering). */
public final class Errno {
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** I/O error. */
    public static final int EIO = 5;
    /** Try again. */
    public static final int EAGAIN = 11;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** No such device. */
    public static final int ENODEV = 19;
    /** Software caused connection abort: a FUSE request cut off by an abort of its connection. */
    public static final int ECONNABORTED = 103;
    /** Transport endpoint is not connected. */
    public static final int ENOTCONN = 107;
    /** Host is down. */
    public static final int EHOSTDOWN = 112;
    /** Stale file handle. */
    public static final int ESTALE = 116;

    /** The errnos that mean the mount is corrupted: a dead, disconnected, aborted or broken client (D2). */
    public static final Set<Integer> STALE = Set.of(ENOTCONN, ESTALE, EIO, EACCES, EHOSTDOWN, EAGAIN, ENODEV, ECONNABORTED);

    private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"),
            Map.entry(EIO, "EIO"), Map.entry(EAGAIN, "EAGAIN"), Map.entry(EACCES, "EACCES"), Map.entry(EBUSY, "EBUSY"),
            Map.entry(ENODEV, "ENODEV"), Map.entry(ECONNABORTED, "ECONNABORTED"), Map.entry(ENOTCONN, "ENOTCONN"),
            Map.entry(EHOSTDOWN, "EHOSTDOWN"), Map.entry(ESTALE, "ESTALE"));

    private Errno() {
    }

    /**
     * @param errno a number
     * @return its symbolic name, or {@code errno <n>}
     */
    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }
}
