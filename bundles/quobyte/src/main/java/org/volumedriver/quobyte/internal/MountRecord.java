package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ConcurrentSkipListSet;

import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.MountState;
import org.volumedriver.spi.MountStatus;
import org.volumedriver.spi.Redactor;

/**
 * What the driver knows about one mount directory: its export, its attachments, its state and
 * since when. Changed only by the holder of the directory's lock; read by administrator views at
 * any time.
 */
final class MountRecord {

    final Path dir;
    final String hash;
    private volatile String export;
    // sorted and concurrent: changed in place under the directory lock, listed by views at any time
    private final ConcurrentSkipListSet<Attachment> attachments = new ConcurrentSkipListSet<>();
    private volatile MountState state = MountState.NOT_MOUNTED;
    private volatile Instant since = Instant.now();
    private volatile String detail = "";
    /** Whether this mount is part of the mounted-count (made or adopted by this driver). */
    volatile boolean counted;
    // the FUSE connection of the mount this driver made or adopted here (D4), null without one, and
    // the kernel's unique id of that mount (0: unknown), which tells a remount that reused the number
    private volatile FuseConnection connection;
    private volatile long mountId;
    // set when the connection changed and the journal has not been told yet
    private volatile boolean connectionUnjournaled;
    // why the mount stays without attachments (a guest uses it, or the guests could not be asked), "" if it does not
    private volatile String keptBecause = "";

    MountRecord(Path dir) {
        this.dir = dir;
        this.hash = dir.getFileName().toString();
    }

    String export() {
        return export;
    }

    void export(String strippedExport) {
        export = strippedExport;
    }

    MountState state() {
        return state;
    }

    /** @return the FUSE connection recorded when this driver made or adopted the mount, or null */
    FuseConnection connection() {
        return connection;
    }

    /** @return the kernel's unique id of the mount whose connection is recorded, 0 if unknown */
    long mountId() {
        return mountId;
    }

    /**
     * Records the connection of the mount this driver made or adopted, or forgets it (null) once
     * that mount is gone.
     *
     * @param c the connection, or null
     * @param id the kernel's unique id of that mount, 0 if unknown
     */
    void connection(FuseConnection c, long id) {
        if (c != null && (!c.equals(connection) || id != mountId)) {
            connectionUnjournaled = true;
        }
        connection = c;
        mountId = c == null ? 0 : id;
    }

    /** @return the journal's fact about the connection, once after each change; null if there is nothing new */
    Journal.Op takeConnectionChange() {
        FuseConnection c = connection;
        if (!connectionUnjournaled || c == null) {
            return null;
        }
        connectionUnjournaled = false;
        return Journal.Op.connection(hash, c.device(), mountId);
    }

    ConcurrentSkipListSet<Attachment> attachments() {
        return attachments;
    }

    boolean hasAttachments() {
        return !attachments.isEmpty();
    }

    boolean add(Attachment a) {
        return attachments.add(a);
    }

    void remove(Attachment a) {
        attachments.remove(a);
    }

    /** The mount answers its probe. */
    void healthy() {
        state(MountState.HEALTHY, "");
    }

    /** @param why what the probe or the unmount saw */
    void stale(String why) {
        state(MountState.STALE, why);
    }

    /** @param why why an unmount left it in place */
    void busy(String why) {
        state(MountState.BUSY, why);
    }

    /** @param why why nothing is mounted, or empty */
    void notMounted(String why) {
        keptBecause = "";
        state(MountState.NOT_MOUNTED, why);
    }

    /** @return why the unmount guard keeps this mount, "" if it does not (F6) */
    String keptBecause() {
        return keptBecause;
    }

    /** @param why why the unmount guard keeps this mount, "" once it no longer does (F6) */
    void keptBecause(String why) {
        keptBecause = why == null ? "" : why;
    }

    private void state(MountState s, String why) {
        if (s != state) {
            since = Instant.now();
        }
        state = s;
        detail = why == null ? "" : why;
    }

    /** @return the record as administrators see it, export redacted; a mount kept for a guest says so */
    MountStatus status() {
        String kept = hasAttachments() ? "" : keptBecause;
        String shown = kept.isEmpty() ? detail : detail.isEmpty() ? "kept: " + kept : detail + "; kept: " + kept;
        return new MountStatus(QuobyteAdmin.DRIVER_TYPE, export == null ? "" : Redactor.redactText(export),
                dir.toString(), state, attachments, since, shown);
    }
}
