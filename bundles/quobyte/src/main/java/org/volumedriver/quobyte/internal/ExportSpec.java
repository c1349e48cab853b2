package org.volumedriver.quobyte.internal;

import java.util.List;

/**
 * A validated export.
 *
 * @param stripped the export without {@code quobyte://}: what is passed to mount.quobyte and hashed
 * @param registries the registries, each {@code host[:port]}
 * @param volume the Quobyte volume
 */
public record ExportSpec(String stripped, List<String> registries, String volume) {

    /**
     * @param stripped the export
     * @param registries the registries
     * @param volume the volume
     */
    public ExportSpec {
        registries = List.copyOf(registries);
    }
}
