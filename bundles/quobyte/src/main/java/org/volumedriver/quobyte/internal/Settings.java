package org.volumedriver.quobyte.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.volumedriver.spi.InvalidConfigurationException;

/**
 * The checked configuration of the driver. Built from {@link QuobyteConfig} or, in tests, with
 * {@link #builder()}; every value is validated by {@link Builder#build()}.
 */
public final class Settings {

    /** Default mount base. */
    public static final String DEFAULT_MOUNT_BASE = "/var/lib/volumedriver/quobyte/mnt";
    /** Default slice for the mount scopes. */
    public static final String DEFAULT_SLICE = "volumedriver.slice";
    /** A UUID, the way Cinder writes it. */
    static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    /** Cinder's volume file names: volume-UUID, optionally .UUID or .tmp-snap-UUID. */
    public static final String DEFAULT_NAME_PATTERN = "volume-" + UUID + "(?:\\.(?:tmp-snap-)?" + UUID + ")?";

    private static final Pattern UNIT_PART = Pattern.compile("[A-Za-z0-9:_.-]{1,200}");
    private static final Pattern COMMAND_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** The systemd modes. */
    public enum SystemdMode { AUTO, ON, OFF }

    final Path mountBase;
    final Optional<Path> clientConfig;
    final SystemdMode systemdMode;
    final String slice;
    final String mountCommand;
    final String umountCommand;
    final int maxMounts;
    final int maxConcurrentOperations;
    final Duration operationQueueTimeout;
    final Duration mountTimeout;
    final Duration mountAppearTimeout;
    final Duration umountTimeout;
    final Duration probeTimeout;
    final Duration lockTimeout;
    final Pattern volumeNamePattern;
    final boolean legacyFuse;
    final boolean watchdogEnabled;
    final Duration watchdogInterval;
    final boolean healAbort;
    final Path journal;
    final boolean journalSync;
    final int directoryMode;
    final String directoryGroup;

    private Settings(Builder b, Path base, Optional<Path> cfg, Path journal, Pattern names, int mode, SystemdMode systemd) {
        this.mountBase = base;
        this.clientConfig = cfg;
        this.systemdMode = systemd;
        this.slice = b.slice;
        this.mountCommand = b.mountCommand;
        this.umountCommand = b.umountCommand;
        this.maxMounts = b.maxMounts;
        this.maxConcurrentOperations = b.maxConcurrentOperations;
        this.operationQueueTimeout = Duration.ofMillis(b.operationQueueTimeoutMs);
        this.mountTimeout = Duration.ofMillis(b.mountTimeoutMs);
        this.mountAppearTimeout = Duration.ofMillis(b.mountAppearTimeoutMs);
        this.umountTimeout = Duration.ofMillis(b.umountTimeoutMs);
        this.probeTimeout = Duration.ofMillis(b.probeTimeoutMs);
        this.lockTimeout = Duration.ofMillis(b.lockTimeoutMs);
        this.volumeNamePattern = names;
        this.legacyFuse = b.legacyFuse;
        this.watchdogEnabled = b.watchdogEnabled;
        this.watchdogInterval = Duration.ofSeconds(b.watchdogIntervalS);
        this.healAbort = b.healAbort;
        this.journal = journal;
        this.journalSync = b.journalSync;
        this.directoryMode = mode;
        this.directoryGroup = b.directoryGroup;
    }

    /** @return a builder with the defaults of {@link QuobyteConfig} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param c the typed configuration
     * @return the checked settings
     * @throws InvalidConfigurationException naming the first bad key
     */
    public static Settings from(QuobyteConfig c) throws InvalidConfigurationException {
        return builder().mountBase(c.mount_base()).clientConfig(c.client_config()).systemdMode(c.systemd_mode())
                .slice(c.systemd_slice()).mountCommand(c.mount_command()).umountCommand(c.umount_command())
                .maxMounts(c.max_mounts()).maxConcurrentOperations(c.max_concurrent_operations())
                .operationQueueTimeoutMs(c.operation_queue_timeout_ms()).mountTimeoutMs(c.mount_timeout_ms())
                .mountAppearTimeoutMs(c.mount_appear_timeout_ms()).umountTimeoutMs(c.umount_timeout_ms())
                .probeTimeoutMs(c.probe_timeout_ms()).lockTimeoutMs(c.lock_timeout_ms())
                .volumeNamePattern(c.volume_name_pattern()).legacyFuse(c.legacy_fuse())
                .watchdogEnabled(c.watchdog_enabled()).watchdogIntervalS(c.watchdog_interval_s()).healAbort(c.heal_abort())
                .journal(c.journal_path()).journalSync(c.journal_sync()).directoryMode(c.directory_mode())
                .directoryGroup(c.directory_group()).build();
    }

    /** @return the mount base */
    public Path mountBase() {
        return mountBase;
    }

    /** @return the journal file */
    public Path journal() {
        return journal;
    }

    /** @return the settings as configuration keys and values, for administrators */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("mount.base", mountBase.toString());
        out.put("client.config", clientConfig.map(Path::toString).orElse(""));
        out.put("systemd.mode", systemdMode.name().toLowerCase(Locale.ROOT));
        out.put("systemd.slice", slice);
        out.put("mount.command", mountCommand);
        out.put("umount.command", umountCommand);
        out.put("max.mounts", Integer.toString(maxMounts));
        out.put("max.concurrent.operations", Integer.toString(maxConcurrentOperations));
        out.put("operation.queue.timeout.ms", Long.toString(operationQueueTimeout.toMillis()));
        out.put("mount.timeout.ms", Long.toString(mountTimeout.toMillis()));
        out.put("mount.appear.timeout.ms", Long.toString(mountAppearTimeout.toMillis()));
        out.put("umount.timeout.ms", Long.toString(umountTimeout.toMillis()));
        out.put("probe.timeout.ms", Long.toString(probeTimeout.toMillis()));
        out.put("lock.timeout.ms", Long.toString(lockTimeout.toMillis()));
        out.put("volume.name.pattern", volumeNamePattern.pattern());
        out.put("legacy.fuse", Boolean.toString(legacyFuse));
        out.put("watchdog.enabled", Boolean.toString(watchdogEnabled));
        out.put("watchdog.interval.s", Long.toString(watchdogInterval.toSeconds()));
        out.put("heal.abort", Boolean.toString(healAbort));
        out.put("journal.path", journal.toString());
        out.put("journal.sync", Boolean.toString(journalSync));
        out.put("directory.mode", String.format("%04o", directoryMode));
        out.put("directory.group", directoryGroup);
        return out;
    }

    /** Collects raw values; {@link #build()} checks them. */
    public static final class Builder {
        private String mountBase = DEFAULT_MOUNT_BASE;
        private String clientConfig = "";
        private String systemdMode = "auto";
        private String slice = DEFAULT_SLICE;
        private String mountCommand = "mount.quobyte";
        private String umountCommand = "umount";
        private int maxMounts = 128;
        private int maxConcurrentOperations = 8;
        private long operationQueueTimeoutMs = 0;
        private long mountTimeoutMs = 60_000;
        private long mountAppearTimeoutMs = 10_000;
        private long umountTimeoutMs = 30_000;
        private long probeTimeoutMs = 5_000;
        private long lockTimeoutMs = 120_000;
        private String volumeNamePattern = DEFAULT_NAME_PATTERN;
        private boolean legacyFuse;
        private boolean watchdogEnabled = true;
        private long watchdogIntervalS = 60;
        private boolean healAbort = true;
        private String journal = "";
        private String directoryMode = "0750";
        private String directoryGroup = "";
        private boolean journalSync;

        private Builder() {
        }

        /** @param v value @return this */
        public Builder journalSync(boolean v) { journalSync = v; return this; }

        /** @param v value @return this */
        public Builder mountBase(String v) { mountBase = v; return this; }
        /** @param v value @return this */
        public Builder clientConfig(String v) { clientConfig = v; return this; }
        /** @param v value @return this */
        public Builder systemdMode(String v) { systemdMode = v; return this; }
        /** @param v value @return this */
        public Builder slice(String v) { slice = v; return this; }
        /** @param v value @return this */
        public Builder mountCommand(String v) { mountCommand = v; return this; }
        /** @param v value @return this */
        public Builder umountCommand(String v) { umountCommand = v; return this; }
        /** @param v value @return this */
        public Builder maxMounts(int v) { maxMounts = v; return this; }
        /** @param v value @return this */
        public Builder maxConcurrentOperations(int v) { maxConcurrentOperations = v; return this; }
        /** @param v value @return this */
        public Builder operationQueueTimeoutMs(long v) { operationQueueTimeoutMs = v; return this; }
        /** @param v value @return this */
        public Builder mountTimeoutMs(long v) { mountTimeoutMs = v; return this; }
        /** @param v value @return this */
        public Builder mountAppearTimeoutMs(long v) { mountAppearTimeoutMs = v; return this; }
        /** @param v value @return this */
        public Builder umountTimeoutMs(long v) { umountTimeoutMs = v; return this; }
        /** @param v value @return this */
        public Builder probeTimeoutMs(long v) { probeTimeoutMs = v; return this; }
        /** @param v value @return this */
        public Builder lockTimeoutMs(long v) { lockTimeoutMs = v; return this; }
        /** @param v value @return this */
        public Builder volumeNamePattern(String v) { volumeNamePattern = v; return this; }
        /** @param v value @return this */
        public Builder legacyFuse(boolean v) { legacyFuse = v; return this; }
        /** @param v value @return this */
        public Builder watchdogEnabled(boolean v) { watchdogEnabled = v; return this; }
        /** @param v value @return this */
        public Builder watchdogIntervalS(long v) { watchdogIntervalS = v; return this; }
        /** @param v value @return this */
        public Builder journal(String v) { journal = v; return this; }
        /** @param v whether a heal aborts a hung client's FUSE connection @return this */
        public Builder healAbort(boolean v) { healAbort = v; return this; }
        /** @param v value @return this */
        public Builder directoryMode(String v) { directoryMode = v; return this; }

        /** @param v a group name or number, empty for none @return this */
        public Builder directoryGroup(String v) { directoryGroup = v == null ? "" : v.trim(); return this; }

        /**
         * @return the checked settings
         * @throws InvalidConfigurationException naming the first bad key
         */
        public Settings build() throws InvalidConfigurationException {
            Path base = absoluteNormalized("mount.base", mountBase);
            if (base.getNameCount() == 0) {
                throw new InvalidConfigurationException("mount.base", "must not be the root directory");
            }
            Optional<Path> cfg = clientConfig == null || clientConfig.isEmpty() ? Optional.empty()
                    : Optional.of(absoluteNormalized("client.config", clientConfig));
            Path journalPath = journal == null || journal.isEmpty()
                    ? base.resolve(".volumedriver").resolve("attachments.journal")
                    : absoluteNormalized("journal.path", journal);
            SystemdMode systemd;
            try {
                systemd = SystemdMode.valueOf(String.valueOf(systemdMode).toUpperCase(Locale.ROOT));
                if (!systemdMode.equals(systemdMode.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException("systemd.mode", "must be auto, on or off");
            }
            if (slice == null || !UNIT_PART.matcher(slice).matches() || !slice.endsWith(".slice") || slice.startsWith("-")) {
                throw new InvalidConfigurationException("systemd.slice", "must be a unit name ending in .slice");
            }
            for (String[] cmd : new String[][] { { "mount.command", mountCommand }, { "umount.command", umountCommand } }) {
                if (cmd[1] == null || !COMMAND_NAME.matcher(cmd[1]).matches()) {
                    throw new InvalidConfigurationException(cmd[0], "must be a logical command name");
                }
            }
            range("max.mounts", maxMounts, 1, 4096);
            range("max.concurrent.operations", maxConcurrentOperations, 1, 256);
            range("operation.queue.timeout.ms", operationQueueTimeoutMs, 0, 600_000);
            range("mount.timeout.ms", mountTimeoutMs, 100, 600_000);
            range("mount.appear.timeout.ms", mountAppearTimeoutMs, 0, 600_000);
            range("umount.timeout.ms", umountTimeoutMs, 100, 600_000);
            range("probe.timeout.ms", probeTimeoutMs, 10, 600_000);
            range("lock.timeout.ms", lockTimeoutMs, 10, 3_600_000);
            range("watchdog.interval.s", watchdogIntervalS, 1, 86_400);
            Pattern names;
            try {
                names = Pattern.compile(volumeNamePattern);
            } catch (PatternSyntaxException | NullPointerException e) {
                throw new InvalidConfigurationException("volume.name.pattern", "is not a valid regular expression");
            }
            for (String bad : new String[] { "", ".", "..", "a/b", "../x", "-x", "x\n" }) {
                if (names.matcher(bad).matches()) {
                    throw new InvalidConfigurationException("volume.name.pattern",
                            "must not match " + org.volumedriver.spi.Redactor.quote(bad));
                }
            }
            int mode;
            try {
                if (directoryMode == null || !directoryMode.matches("0?[0-7]{3}")) {
                    throw new NumberFormatException();
                }
                mode = Integer.parseInt(directoryMode, 8);
            } catch (NumberFormatException e) {
                throw new InvalidConfigurationException("directory.mode", "must be an octal mode such as 0750");
            }
            if ((mode & 0022) != 0 || (mode & 0700) != 0700) {
                throw new InvalidConfigurationException("directory.mode", "must give the owner rwx and nobody else write access");
            }
            if (!directoryGroup.isEmpty() && !directoryGroup.matches("[A-Za-z_][A-Za-z0-9_.-]{0,31}|[0-9]{1,10}")) {
                throw new InvalidConfigurationException("directory.group", "must be a group name or number");
            }
            return new Settings(this, base, cfg, journalPath, names, mode, systemd);
        }

        private static void range(String key, long v, long min, long max) throws InvalidConfigurationException {
            if (v < min || v > max) {
                throw new InvalidConfigurationException(key, "must be between " + min + " and " + max);
            }
        }

        private static Path absoluteNormalized(String key, String value) throws InvalidConfigurationException {
            if (value == null || value.isEmpty()) {
                throw new InvalidConfigurationException(key, "is empty");
            }
            if (!value.matches("/[A-Za-z0-9._/-]{0,3000}")) {
                throw new InvalidConfigurationException(key, "must be an absolute path of letters, digits and . _ - /");
            }
            Path p;
            try {
                p = Path.of(value);
            } catch (InvalidPathException e) {
                throw new InvalidConfigurationException(key, "is not a path");
            }
            if (!p.isAbsolute() || !p.normalize().toString().equals(value) || value.contains("//")
                    || (value.length() > 1 && value.endsWith("/"))) {
                throw new InvalidConfigurationException(key, "must be absolute and normalized (no '.', '..', '//' or trailing '/')");
            }
            for (Path part : p) {
                if (part.toString().startsWith("-")) {
                    throw new InvalidConfigurationException(key, "has a component starting with '-'");
                }
            }
            return p;
        }
    }
}
