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
 * @param blockJobs how long and how often a snapshot merge looks at its block job
 */
public record LibvirtSettings(String uri, Duration detachWait, Duration detachPoll, DiskPolicy disks, ReconcilePolicy reconcile,
        BlockJobPolicy blockJobs) {

    /**
     * The bounded wait for a block job (commit or pull) that merges a file out of a disk's chain.
     *
     * @param bound how long before the job is aborted
     * @param poll how often the job is looked at (and its progress reported)
     */
    public record BlockJobPolicy(Duration bound, Duration poll) {

        /** The defaults: 10 minutes, every 500 ms. */
        public static final BlockJobPolicy DEFAULT = new BlockJobPolicy(Duration.ofMinutes(10), Duration.ofMillis(500));

        /** Both parts are required. */
        public BlockJobPolicy {
            Objects.requireNonNull(bound, "bound");
            Objects.requireNonNull(poll, "poll");
        }
    }

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

    /** The bounds of the block-job wait: a second to a day. */
    static final long MIN_BLOCK_JOB_WAIT_MS = 1_000;
    static final long MAX_BLOCK_JOB_WAIT_MS = 24 * 60 * 60 * 1000L;

    private static final Pattern URI = Pattern.compile("[a-z][a-z0-9+]*://[\\x21-\\x7e]*");
    private static final int MAX_URI = 1024;

    /** Every part is required. */
    public LibvirtSettings {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(detachWait, "detachWait");
        Objects.requireNonNull(detachPoll, "detachPoll");
        Objects.requireNonNull(disks, "disks");
        Objects.requireNonNull(reconcile, "reconcile");
        Objects.requireNonNull(blockJobs, "blockJobs");
    }

    /**
     * Settings with the default block-job wait.
     *
     * @param uri the libvirt URI
     * @param detachWait how long a live detach waits
     * @param detachPoll how often the domain is looked at during that wait
     * @param disks the allowlists for disk XML
     * @param reconcile when and how attachments are reconciled
     */
    public LibvirtSettings(String uri, Duration detachWait, Duration detachPoll, DiskPolicy disks, ReconcilePolicy reconcile) {
        this(uri, detachWait, detachPoll, disks, reconcile, BlockJobPolicy.DEFAULT);
    }

    /**
     * Settings with the default reconciliation and block-job wait.
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
     * Parses and checks a configuration: the attach, reconcile and block-job settings first, then the
     * disk allowlists.
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
        if (config.block_job_wait_ms() < MIN_BLOCK_JOB_WAIT_MS || config.block_job_wait_ms() > MAX_BLOCK_JOB_WAIT_MS) {
            throw new InvalidConfigurationException("block.job.wait.ms", "must be " + MIN_BLOCK_JOB_WAIT_MS + " to " + MAX_BLOCK_JOB_WAIT_MS);
        }
        if (config.block_job_poll_ms() < 10 || config.block_job_poll_ms() > 60_000) {
            throw new InvalidConfigurationException("block.job.poll.ms", "must be 10 to 60000");
        }
        ReconcilePolicy reconcile = new ReconcilePolicy(config.reconcile_at_start(),
                Duration.ofMinutes(config.reconcile_interval_minutes()), config.reconcile_release_orphans());
        BlockJobPolicy blockJobs = new BlockJobPolicy(Duration.ofMillis(config.block_job_wait_ms()),
                Duration.ofMillis(config.block_job_poll_ms()));
        return new LibvirtSettings(uri, Duration.ofMillis(config.detach_wait_ms()), Duration.ofMillis(config.detach_poll_ms()),
                DiskPolicy.from(config), reconcile, blockJobs);
    }
}
