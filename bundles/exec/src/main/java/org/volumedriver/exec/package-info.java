/**
 * The executor service: the one way the product starts an external process.
 *
 * <p>Callers name an allowlisted command and pass its arguments as a list; the executor checks them
 * against the command's argument rules, runs the configured absolute executable without a shell,
 * with a cleared environment and a timeout that kills the whole process tree, and returns a
 * {@link org.volumedriver.exec.CommandResult}.
 */
@Export
@Version("1.0.0")
package org.volumedriver.exec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
