/**
 * Administration view of the Quobyte volume driver, beyond the generic
 * {@link org.volumedriver.spi.VolumeDriver} contract: the systemd decision and its reason, a dry-run
 * validation that shows where a volume would be mounted, the configuration in force, and (since
 * 1.1) the mounts with their FUSE connections and a heal that reports each of its steps.
 */
@Export
@Version("1.1.0")
package org.volumedriver.quobyte;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
