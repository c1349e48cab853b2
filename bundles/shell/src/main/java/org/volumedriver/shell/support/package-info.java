/**
 * What every command bundle of the product shares, so that the commands of a driver's own scope
 * (named after its {@code driver_volume_type}) behave exactly like the generic {@code volume:*}
 * commands.
 *
 * <ul>
 * <li>{@link org.volumedriver.shell.support.DriverAction} and
 * {@link org.volumedriver.shell.support.DriverCompleter}: Karaf command and completer bases that
 * find drivers through the {@link org.volumedriver.spi.VolumeDrivers} service only, and turn every
 * failure into one line {@code Error [<CODE>]: <message>}
 * ({@link org.volumedriver.shell.support.ShellErrors}).</li>
 * <li>{@link org.volumedriver.shell.support.DriverLookup} and
 * {@link org.volumedriver.shell.support.Candidates}: drivers, mounts and completion values.</li>
 * <li>{@link org.volumedriver.shell.support.Views}: the table and report layout, the mounts table
 * and the configuration table, redacted.</li>
 * <li>{@link org.volumedriver.shell.support.ValidationView}: the OSGi service through which a
 * driver's command bundle adds its own fields to {@code volume:validate}.</li>
 * </ul>
 */
@Export
@Version("1.0.0")
package org.volumedriver.shell.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
