package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.volumedriver.quobyte.QuobyteAdmin;
import org.volumedriver.quobyte.ValidatedVolume;
import org.volumedriver.spi.Attachment;
import org.volumedriver.spi.ConnectionInfo;
import org.volumedriver.spi.DiskSpec;
import org.volumedriver.spi.InvalidConnectionInfoException;
import org.volumedriver.spi.VolumeDriverException;

/**
 * A request after complete validation: the export, its mount directory, the volume file inside it
 * and the format. Nothing is touched to build one.
 *
 * @param export the parsed export
 * @param dir the mount directory
 * @param name the volume file name
 * @param volumePath the volume file
 * @param format the image format
 */
record VolumeTarget(ExportSpec export, Path dir, String name, Path volumePath, String format) {

    /** Cinder's volume files: {@code volume-<volume id>}, and {@code volume-<volume id>.<suffix>} for its snapshots. */
    private static final Pattern CINDER_NAME = Pattern.compile("volume-(" + Settings.UUID + ")(?:\\..+)?");

    /**
     * @param name a volume file name
     * @return the volume id of a Cinder volume file, the same for every file of one volume's chain
     */
    static Optional<String> serialOf(String name) {
        Matcher m = CINDER_NAME.matcher(name);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * Validates connection info completely, without side effects (A1–A4, B2).
     *
     * @param info the connection info
     * @param layout where mount directories are
     * @param namePattern the pattern volume file names must match
     * @return the target
     * @throws VolumeDriverException the typed reason
     */
    static VolumeTarget resolve(ConnectionInfo info, MountLayout layout, Pattern namePattern) throws VolumeDriverException {
        if (info == null) {
            throw new InvalidConnectionInfoException("connection_info", "is missing");
        }
        if (!QuobyteAdmin.DRIVER_TYPE.equals(info.driverVolumeType())) {
            throw new InvalidConnectionInfoException("driver_volume_type", "must be '" + QuobyteAdmin.DRIVER_TYPE + "' for this driver");
        }
        ExportSpec export = VolumeValidator.parseExport(info.requireExport());
        String format = VolumeValidator.checkFormat(info.format());
        String name = info.requireName();
        Path dir = layout.mountDirectory(export.stripped());
        Path file = VolumeValidator.resolveName(name, namePattern, dir);
        return new VolumeTarget(export, dir, name, file, format);
    }

    /**
     * @param attachment the attachment a connect or disconnect names
     * @throws InvalidConnectionInfoException if it is missing or names another volume
     */
    void checkAttachment(Attachment attachment) throws InvalidConnectionInfoException {
        if (attachment == null) {
            throw new InvalidConnectionInfoException("attachment", "is missing");
        }
        if (!attachment.volume().equals(name)) {
            throw new InvalidConnectionInfoException("attachment.volume", "must equal data.name");
        }
    }

    /**
     * @return the disk the hypervisor gets: the volume file, uncached, native I/O; its serial is
     *         the volume id, as Nova sets it, so that the guest sees one disk across the files of
     *         an assisted snapshot's chain
     */
    DiskSpec diskSpec() {
        return DiskSpec.builder().sourceType("file").sourcePath(volumePath.toString()).format(format)
                .cache("none").io("native").serial(serialOf(name).orElse(null)).build();
    }

    /** @return the validated volume as administrators see it */
    ValidatedVolume validated() {
        return new ValidatedVolume(export.stripped(), dir.toString(), volumePath.toString(), format);
    }
}
