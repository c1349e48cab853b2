package org.volumedriver.shell.commands;

import java.io.PrintStream;
import java.util.Map;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.volumedriver.libvirt.AttachedVolumes;
import org.volumedriver.libvirt.DiskChain;
import org.volumedriver.shell.internal.SnapshotViews;
import org.volumedriver.shell.support.ServiceUnavailableException;

/**
 * Base of the commands on the disk of a volume attached to a running guest ({@code volume:chain},
 * {@code snapshot-create}, {@code snapshot-delete}, {@code extend}): they go through the
 * {@link AttachedVolumes} service, optional like every single-service reference.
 */
abstract class AttachedVolumeAction extends DomainVolumeAction {

    @Reference(optional = true)
    AttachedVolumes volumes;

    /**
     * @return the attached-volumes service
     * @throws ServiceUnavailableException if none is registered
     */
    final AttachedVolumes attachedVolumes() {
        return ServiceUnavailableException.require(volumes, "libvirt attached volumes");
    }

    /** Prints a result that changed the chain: headline and fields, a blank line, then the chain with its header. */
    static void reportWithChain(PrintStream out, String headline, Map<String, String> fields, DiskChain chain) {
        report(out, headline, fields);
        out.println();
        SnapshotViews.chain(chain.links(), out, true);
    }
}
