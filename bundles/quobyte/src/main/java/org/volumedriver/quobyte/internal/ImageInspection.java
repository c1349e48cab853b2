package org.volumedriver.quobyte.internal;

import java.nio.file.Path;
import java.util.Optional;

import org.volumedriver.spi.MountUnhealthyException;
import org.volumedriver.spi.UnsafeImageException;
import org.volumedriver.spi.VolumeDriverException;
import org.volumedriver.spi.VolumeImage;
import org.volumedriver.spi.VolumeLocation;

/**
 * What a file in a volume's mount directory is, for the SPI's {@code inspectImage}: the name is
 * checked as {@code data.name} is (A3), the mount must be one this driver made or adopted and
 * answer its probe, the file is found as {@link VolumeOwnership} finds a guest's disk (a regular
 * file, no symlink, nothing mounted over it), and its header is read and judged as a connect judges
 * a qcow2 image (A5). Every look through the mount runs bounded ({@link BoundedLstat}): a hung
 * client costs the caller {@code probe.timeout.ms} at most. Nothing is created, mounted or run.
 */
final class ImageInspection {

    /** The parameter that names the file, in errors. */
    static final String FIELD = "file";

    private final Settings settings;
    private final MountRecords records;
    private final VolumeOwnership ownership;
    private final BoundedLstat looks;

    ImageInspection(Settings settings, MountRecords records, VolumeOwnership ownership, BoundedLstat looks) {
        this.settings = settings;
        this.records = records;
        this.ownership = ownership;
        this.looks = looks;
    }

    /**
     * @param target the validated connection info whose export holds the file
     * @param file the file's name in the mount directory
     * @return what the header says
     * @throws VolumeDriverException the typed refusal
     */
    VolumeImage inspect(VolumeTarget target, String file) throws VolumeDriverException {
        Path path = VolumeValidator.resolveName(file, FIELD, settings.volumeNamePattern, target.dir());
        MountRecord rec = records.find(target.dir());
        if (rec == null || !rec.counted) {
            throw new MountUnhealthyException(target.dir().toString(), "the export is not mounted by this driver");
        }
        VolumeLocation where = ownership.existingFile(path, FIELD);
        Qcow2Inspector.Image image = looks.look(target.dir(), settings.probeTimeout, "reading an image header on it",
                () -> Qcow2Inspector.inspect(path, settings.volumeNamePattern, FIELD));
        try {
            return new VolumeImage(where, image.format(), image.virtualSize(), image.fileSize(),
                    Optional.ofNullable(image.backingName()), Optional.ofNullable(image.backingFormat()));
        } catch (IllegalArgumentException e) {
            // a configured name pattern wider than the SPI's file names
            throw new UnsafeImageException("the backing file name is not a volume file name");
        }
    }
}
