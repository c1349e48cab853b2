package org.volumedriver.libvirt.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.Redactor;

/**
 * Everything PID {@value LibvirtConfig#PID} configures, parsed and checked in one go: a
 * configuration is accepted or refused as a whole, so the disk allowlists and the attach settings
 * in force always come from the same configuration.
 *
 * @param uri the libvirt URI
 * @param detachWait how long a live detach waits for the guest to release the device
 * @param detachPoll how often the domain is looked at during that wait
 * @param disks the allowlists for disk XML
 * @param reconcile when and how attachments are reconciled with libvirt's domains
 */
public record LibvirtSettings(String uri, Duration detachWait, Duration detachPoll, DiskPolicy disks, ReconcilePolicy reconcile) {

    /**
     * When and how the drivers' attachments are reconciled with libvirt's domains.
     *
     * @param atStart reconcile when a volume driver comes up
     * @param interval reconcile this often as well; {@link Duration#ZERO}: never
     * @param releaseOrphans release drift confirmed by two reconciliations in a row; otherwise report it
     */
    public record ReconcilePolicy(boolean atStart, Duration interval, boolean releaseOrphans) {

        /** The defaults: at start, no interval, report only. */
        public static final ReconcilePolicy DEFAULT = new ReconcilePolicy(true, Duration.ZERO, false);

        /** Every part is required. */
        public ReconcilePolicy {
            Objects.requireNonNull(interval, "interval");
        }
    }

    /** The longest reconcile interval: a week. */
    static final int MAX_INTERVAL_MINUTES = 7 * 24 * 60;

    private static final Pattern URI = Pattern.compile("[a-z][a-z0-9+]*://[\\x21-\\x7e]*");
    private static final int MAX_URI = 1024;

    /** Every part is required. */
    public LibvirtSettings {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(detachWait, "detachWait");
        Objects.requireNonNull(detachPoll, "detachPoll");
        Objects.requireNonNull(disks, "disks");
        Objects.requireNonNull(reconcile, "reconcile");
    }

    /**
     * Settings with the default reconciliation.
     *
     * @param uri the libvirt URI
     * @param detachWait how long a live detach waits
     * @param detachPoll how often the domain is looked at during that wait
     * @param disks the allowlists for disk XML
     */
    public LibvirtSettings(String uri, Duration detachWait, Duration detachPoll, DiskPolicy disks) {
        this(uri, detachWait, detachPoll, disks, ReconcilePolicy.DEFAULT);
    }

    /**
     * Parses and checks a configuration: the attach and reconcile settings first, then the disk allowlists.
     *
     * @param config the typed configuration
     * @return the settings
     * @throws InvalidConfigurationException naming the first refused key
     */
    public static LibvirtSettings from(LibvirtConfig config) throws InvalidConfigurationException {
        String uri = config.uri();
        if (uri == null || uri.isEmpty() || uri.length() > MAX_URI || !URI.matcher(uri).matches()) {
            throw new InvalidConfigurationException("uri", Redactor.quote(uri) + " is not a libvirt URI such as qemu:///system");
        }
        if (config.detach_wait_ms() < 0 || config.detach_wait_ms() > 600_000) {
            throw new InvalidConfigurationException("detach.wait.ms", "must be 0 to 600000");
        }
        if (config.detach_poll_ms() < 10 || config.detach_poll_ms() > 60_000) {
            throw new InvalidConfigurationException("detach.poll.ms", "must be 10 to 60000");
        }
        if (config.reconcile_interval_minutes() < 0 || config.reconcile_interval_minutes() > MAX_INTERVAL_MINUTES) {
            throw new InvalidConfigurationException("reconcile.interval.minutes", "must be 0 (never) to " + MAX_INTERVAL_MINUTES);
        }
        ReconcilePolicy reconcile = new ReconcilePolicy(config.reconcile_at_start(),
                Duration.ofMinutes(config.reconcile_interval_minutes()), config.reconcile_release_orphans());
        return new LibvirtSettings(uri, Duration.ofMillis(config.detach_wait_ms()), Duration.ofMillis(config.detach_poll_ms()),
                DiskPolicy.from(config), reconcile);
    }
}
