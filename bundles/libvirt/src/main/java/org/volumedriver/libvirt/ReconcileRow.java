package org.volumedriver.libvirt;

import java.util.Objects;

/**
 * One line of a reconciliation. Values that do not apply are empty strings: a drift row has no
 * domain, a rejected source may have no driver, mount directory or volume. Values read from domain
 * definitions are printable (control characters replaced), never trusted further.
 *
 * @param action what was decided
 * @param domainUuid the domain's UUID
 * @param domainName the domain's name
 * @param instance the attachment's instance: the domain UUID for an adoption, the recorded instance otherwise
 * @param source the disk source path as the domain names it, or the recorded volume file for drift
 * @param driver the driver type
 * @param mountDirectory the driver's mount directory
 * @param volume the volume file name
 * @param reason why, in a few words; for a refusal or failure the error code and message
 */
public record ReconcileRow(ReconcileAction action, String domainUuid, String domainName, String instance, String source,
        String driver, String mountDirectory, String volume, String reason) {

    /**
     * The action is required; a missing value becomes an empty string.
     *
     * @param action what was decided
     * @param domainUuid the domain's UUID
     * @param domainName the domain's name
     * @param instance the attachment's instance
     * @param source the disk source path
     * @param driver the driver type
     * @param mountDirectory the driver's mount directory
     * @param volume the volume file name
     * @param reason why
     */
    public ReconcileRow {
        Objects.requireNonNull(action, "action");
        domainUuid = Objects.requireNonNullElse(domainUuid, "");
        domainName = Objects.requireNonNullElse(domainName, "");
        instance = Objects.requireNonNullElse(instance, "");
        source = Objects.requireNonNullElse(source, "");
        driver = Objects.requireNonNullElse(driver, "");
        mountDirectory = Objects.requireNonNullElse(mountDirectory, "");
        volume = Objects.requireNonNullElse(volume, "");
        reason = Objects.requireNonNullElse(reason, "");
    }
}
