/**
 * Administration view of the Quobyte volume driver, beyond the generic
 * {@link org.volumedriver.spi.VolumeDriver} contract: the systemd decision and its reason, a dry-run
 * validation that shows where a volume would be mounted, and the configuration in force.
 */
@Export
@Version("1.0.0")
package org.volumedriver.quobyte;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
