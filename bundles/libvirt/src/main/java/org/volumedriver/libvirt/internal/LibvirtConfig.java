package org.volumedriver.libvirt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of PID {@value #PID}: disk allowlists, the libvirt URI, the detach wait, the
 * bounded wait for block jobs and when the drivers' attachments are reconciled with libvirt's
 * domains.
 * {@link CurrentSettings} turns it into one {@link LibvirtSettings}, checked as a whole; a refused
 * configuration is logged and the previous one stays.
 */
@ObjectClassDefinition(name = "volumedriver libvirt",
        description = "Allowlists for libvirt disk XML, the libvirt connection URI, the bounded detach wait and the reconciliation of attachments with libvirt's domains.")
public @interface LibvirtConfig {

    /** The configuration PID (singleton). */
    String PID = "org.volumedriver.libvirt";

    @AttributeDefinition(description = "libvirt connection URI; test:///default for development")
    String uri() default "qemu:///system";

    @AttributeDefinition(description = "Allowed disk source types per driver type, as type=source[|source]. "
            + "Source types come from the set {file, block}; a driver type not listed gets none.")
    String[] source_types() default {"quobyte=file"};

    @AttributeDefinition(description = "Allowed image formats, compared exactly; a subset of {raw, qcow2}")
    String[] formats() default {"raw", "qcow2"};

    @AttributeDefinition(description = "Allowed cache modes")
    String[] cache_modes() default {"none", "writethrough", "writeback", "directsync", "unsafe", "default"};

    @AttributeDefinition(description = "Cache mode used when a disk names none")
    String default_cache() default "none";

    @AttributeDefinition(description = "Allowed io modes; native is kept only with cache none or directsync")
    String[] io_modes() default {"native", "threads"};

    @AttributeDefinition(description = "Allowed guest buses")
    String[] buses() default {"virtio", "scsi", "sata"};

    @AttributeDefinition(description = "Allowed discard modes")
    String[] discard_modes() default {"unmap", "ignore"};

    @AttributeDefinition(description = "Pattern (whole match) for the guest device name")
    String target_dev_pattern() default "(vd|sd)[a-z]{1,2}";

    @AttributeDefinition(description = "Pattern (whole match) for the disk serial")
    String serial_pattern() default "[A-Za-z0-9._-]{1,36}";

    @AttributeDefinition(description = "Pattern (whole match) for the disk source path; it must also be absolute and normalized")
    String source_path_pattern() default "/[A-Za-z0-9._/-]{1,4095}";

    @AttributeDefinition(description = "How long a live detach waits for the guest to release the device, in milliseconds")
    long detach_wait_ms() default 10_000L;

    @AttributeDefinition(description = "How often the domain is polled during the detach wait, in milliseconds")
    long detach_poll_ms() default 200L;

    @AttributeDefinition(description = "How long a snapshot merge waits for its block job (commit or pull) before it aborts it, "
            + "in milliseconds")
    long block_job_wait_ms() default 600_000L;

    @AttributeDefinition(description = "The longest interval between two looks at a running block job, in milliseconds "
            + "(the first look comes after 20 ms, each next interval doubles up to this one)")
    long block_job_poll_ms() default 500L;

    @AttributeDefinition(description = "Reconcile the drivers' attachments with libvirt's domains when a volume driver comes up "
            + "(start, driver update)")
    boolean reconcile_at_start() default true;

    @AttributeDefinition(description = "Also reconcile every this many minutes, 0 to 10080; 0: never")
    int reconcile_interval_minutes() default 0;

    @AttributeDefinition(description = "Release recorded attachments that no guest uses once two reconciliations in a row "
            + "found them; false: report them only")
    boolean reconcile_release_orphans() default false;
}
