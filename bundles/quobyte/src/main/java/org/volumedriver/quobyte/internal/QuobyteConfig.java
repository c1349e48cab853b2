package org.volumedriver.quobyte.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Typed configuration of the Quobyte driver (PID {@code org.volumedriver.quobyte}). Every value is
 * checked by {@link Settings#from(QuobyteConfig)}; a bad value is refused as a whole.
 */
@ObjectClassDefinition(id = QuobyteConfig.PID, name = "volumedriver Quobyte driver",
        description = "Mounts Quobyte exports for volume attachments, counts attachments, heals stale mounts.")
public @interface QuobyteConfig {

    /** The configuration PID. */
    String PID = "org.volumedriver.quobyte";

    /** @return the mount base */
    @AttributeDefinition(name = "Mount base", description = "Absolute, normalized directory holding one mount directory per export "
            + "(<base>/<md5 of export>). No symlink component; not group- or world-writable; every directory above it owned by root "
            + "or the driver's user and writable by nobody else unless sticky. Created (0750) if missing.")
    String mount_base() default Settings.DEFAULT_MOUNT_BASE;

    /** @return the client configuration file, empty for none */
    @AttributeDefinition(name = "Client configuration", required = false,
            description = "Absolute path of a regular file passed as mount.quobyte -c; not group- or world-writable. Empty: none.")
    String client_config() default "";

    /** @return the systemd mode */
    @AttributeDefinition(name = "systemd scope", description = "auto: use a transient scope when /run/systemd/system exists and "
            + "'systemctl is-system-running' answers running, degraded or starting; on: always; off: never.",
            options = { @Option(value = "auto"), @Option(value = "on"), @Option(value = "off") })
    String systemd_mode() default "auto";

    /** @return the slice of the scopes */
    @AttributeDefinition(name = "systemd slice", description = "Slice the mount scopes are placed in.")
    String systemd_slice() default Settings.DEFAULT_SLICE;

    /** @return the logical name of the mount command in the executor's allowlist */
    @AttributeDefinition(name = "Mount command", description = "Logical command name in the executor allowlist.")
    String mount_command() default "mount.quobyte";

    /** @return the logical name of the unmount command */
    @AttributeDefinition(name = "Unmount command", description = "Logical command name in the executor allowlist.")
    String umount_command() default "umount";

    /** @return the maximum number of mounted exports */
    @AttributeDefinition(name = "Maximum mounts", min = "1", max = "4096")
    int max_mounts() default 128;

    /** @return the maximum number of concurrent mount and unmount operations */
    @AttributeDefinition(name = "Maximum concurrent mount operations", min = "1", max = "256")
    int max_concurrent_operations() default 8;

    /** @return how long an operation waits for a free slot, 0 = fail at once */
    @AttributeDefinition(name = "Operation queue timeout (ms)", min = "0", max = "600000")
    long operation_queue_timeout_ms() default 0L;

    /** @return the mount command timeout */
    @AttributeDefinition(name = "Mount timeout (ms)", min = "100", max = "600000")
    long mount_timeout_ms() default 60_000L;

    /** @return how long the mount may take to appear in the mount table after the command */
    @AttributeDefinition(name = "Mount appearance timeout (ms)", min = "0", max = "600000")
    long mount_appear_timeout_ms() default 10_000L;

    /** @return the unmount command timeout */
    @AttributeDefinition(name = "Unmount timeout (ms)", min = "100", max = "600000")
    long umount_timeout_ms() default 30_000L;

    /** @return the health probe timeout */
    @AttributeDefinition(name = "Probe timeout (ms)", min = "10", max = "600000")
    long probe_timeout_ms() default 5_000L;

    /** @return how long an operation waits for the lock of its mount directory */
    @AttributeDefinition(name = "Lock timeout (ms)", min = "10", max = "3600000")
    long lock_timeout_ms() default 120_000L;

    /** @return the volume file name pattern */
    @AttributeDefinition(name = "Volume name pattern", description = "Anchored Java regular expression the volume file name must match.")
    String volume_name_pattern() default Settings.DEFAULT_NAME_PATTERN;

    /** @return whether legacy fuse mounts are recognised */
    @AttributeDefinition(name = "Recognise legacy mounts", description = "Also accept fstype 'fuse' with a 'quobyte@' source (old clients).")
    boolean legacy_fuse() default false;

    /** @return whether the watchdog runs */
    @AttributeDefinition(name = "Watchdog enabled")
    boolean watchdog_enabled() default true;

    /** @return the watchdog interval */
    @AttributeDefinition(name = "Watchdog interval (s)", min = "1", max = "86400")
    long watchdog_interval_s() default 60L;

    /** @return whether a heal aborts the FUSE connection of a hung client */
    @AttributeDefinition(name = "Abort hung clients", description = "A heal of a hung client (its probe timed out) first aborts "
            + "the mount's FUSE connection (/sys/fs/fuse/connections/<n>/abort), so that guests and every other process blocked "
            + "on the old mount get an I/O error at once instead of hanging until the client recovers. Off: the old mount is only "
            + "detached lazily and whatever waits on it keeps waiting.")
    boolean heal_abort() default true;

    /** @return the journal file, empty for the default */
    @AttributeDefinition(name = "Journal", required = false,
            description = "Absolute path of the attachment journal. Empty: <mount base>/.volumedriver/attachments.journal")
    String journal_path() default "";

    /** @return whether every journal append is fsynced */
    @AttributeDefinition(name = "Sync journal appends", description = "fsync each group of journal appends before a connect "
            + "returns. Off (the default): appends reach the page cache, which survives a restart of Karaf or an update of the "
            + "bundle; only a crash of the host can lose the last ones, and after that neither the mounts nor the guests survive "
            + "and the next start reconciles the attachments with libvirt's domains, the truth the journal only caches. "
            + "On: each connect also waits for an fsync of the log (0.2 ms to several ms, depending on the disk). Snapshots are "
            + "always fsynced and renamed atomically.")
    boolean journal_sync() default false;

    /** @return the mode of created mount directories */
    @AttributeDefinition(name = "Directory mode", description = "Octal mode of mount directories; never group- or world-writable.")
    String directory_mode() default "0750";

    /** @return the group of created directories */
    @AttributeDefinition(name = "Directory group", required = false, description = "Group (name or number) given to the "
            + "directories this driver creates, and required of the mount base, so that QEMU's group (e.g. libvirt-qemu or "
            + "kvm) can reach the volumes under directory.mode 0750. Empty: the process's group, nothing checked.")
    String directory_group() default "";
}
