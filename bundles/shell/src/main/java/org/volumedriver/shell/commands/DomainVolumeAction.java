package org.volumedriver.shell.commands;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.volumedriver.shell.internal.ConnectionInfoInput;
import org.volumedriver.shell.support.DriverAction;
import org.volumedriver.shell.support.Views;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.InvalidConnectionInfoException;

/**
 * Base of the commands on a volume's disk in one libvirt domain: the domain comes first, the
 * connection info follows as JSON (each command declares that argument, index 1) or comes from
 * {@code -f}. Not a command itself: without {@code @Service} Karaf's extender passes it over, and
 * it fills the inherited {@code @Option}/{@code @Argument} fields as it does the command's own.
 */
abstract class DomainVolumeAction extends DriverAction {

    @Option(name = "-f", aliases = "--file", description = "Read the connection info (JSON) from this file")
    @Completion(FileCompleter.class)
    String file;

    @Argument(index = 0, name = "domain", required = true, description = "The libvirt domain name")
    String domain;

    /**
     * @param usage the command's usage line, shown when connection info stands where the domain belongs
     * @throws IllegalArgumentException if the domain was left out
     */
    final void requireDomain(String usage) {
        ConnectionInfoInput.requireName(domain, "domain", usage);
    }

    /**
     * @param json the command's connection-info argument, or {@code null}
     * @return the connection info from that argument or from {@code --file}, never both
     * @throws InvalidConnectionInfoException if the text is not valid connection info
     */
    final ConnectionInfo connectionInfo(String json) throws InvalidConnectionInfoException {
        return ConnectionInfoInput.read(json, file);
    }

    /** Prints a result: its headline, then its fields as key/value lines. */
    static void report(PrintStream out, String headline, Map<String, String> fields) {
        out.println(headline);
        Views.report(fields, out);
    }
}
