package org.volumedriver.spi;

import java.util.regex.Pattern;

/**
 * One use of a volume by one instance: the unit that drivers count, so that an export is unmounted
 * only when its last attachment leaves.
 *
 * @param volume the volume file name inside the export (the connection info's {@code data.name})
 * @param instance the instance (guest) identifier
 */
public record Attachment(String volume, String instance) implements Comparable<Attachment> {

    /** Instance identifiers: a UUID or a short name without separators or leading punctuation. */
    public static final Pattern INSTANCE_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Volume names as far as the SPI can tell; drivers apply their own, stricter pattern. */
    private static final Pattern VOLUME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

    /**
     * Validates both parts, so that an attachment can be journaled and printed safely.
     *
     * @param volume the volume file name
     * @param instance the instance identifier
     * @throws IllegalArgumentException if a part is missing or not of the allowed form
     */
    public Attachment {
        if (volume == null || !VOLUME_PATTERN.matcher(volume).matches() || volume.contains("..")) {
            throw new IllegalArgumentException("attachment volume " + Redactor.quote(volume)
                    + " must match " + VOLUME_PATTERN.pattern() + " without '..'");
        }
        if (instance == null || !INSTANCE_PATTERN.matcher(instance).matches() || instance.contains("..")) {
            throw new IllegalArgumentException("attachment instance " + Redactor.quote(instance)
                    + " must match " + INSTANCE_PATTERN.pattern() + " without '..'");
        }
    }

    /**
     * Builds an attachment from untrusted input with a typed error.
     *
     * @param volume the volume file name
     * @param instance the instance identifier
     * @return the attachment
     * @throws InvalidConnectionInfoException naming {@code data.name} or {@code instance}
     */
    public static Attachment of(String volume, String instance) throws InvalidConnectionInfoException {
        if (volume == null || !VOLUME_PATTERN.matcher(volume).matches() || volume.contains("..")) {
            throw new InvalidConnectionInfoException("data.name", "must match " + VOLUME_PATTERN.pattern() + " without '..'");
        }
        if (instance == null || !INSTANCE_PATTERN.matcher(instance).matches() || instance.contains("..")) {
            throw new InvalidConnectionInfoException("instance", "must match " + INSTANCE_PATTERN.pattern() + " without '..'");
        }
        return new Attachment(volume, instance);
    }

    /**
     * @param volume a candidate volume file name
     * @return whether it is a volume name as far as the SPI can tell (one file name, no {@code ..})
     */
    static boolean isVolumeName(String volume) {
        return volume != null && VOLUME_PATTERN.matcher(volume).matches() && !volume.contains("..");
    }

    @Override
    public int compareTo(Attachment other) {
        int byVolume = volume.compareTo(other.volume);
        return byVolume != 0 ? byVolume : instance.compareTo(other.instance);
    }

    @Override
    public String toString() {
        return volume + "@" + instance;
    }
}
