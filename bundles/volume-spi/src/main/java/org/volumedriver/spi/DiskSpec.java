package org.volumedriver.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * A neutral description of the disk a driver provides; the libvirt bundle checks every value
 * against its allowlists and turns it into a {@code <disk>} element.
 *
 * <p>Values are plain strings on purpose: the allowlists are configuration, and a value outside
 * them must reach the libvirt bundle to be refused with a message naming the field. Instances are
 * immutable; use {@link #builder()} or {@link #toBuilder()}.
 */
public final class DiskSpec {

    private final String sourceType;
    private final String sourcePath;
    private final String format;
    private final String cache;
    private final String io;
    private final String targetDev;
    private final String targetBus;
    private final String serial;
    private final boolean readOnly;
    private final String discard;

    private DiskSpec(Builder builder) {
        this.sourceType = Objects.requireNonNull(builder.sourceType, "sourceType");
        this.sourcePath = Objects.requireNonNull(builder.sourcePath, "sourcePath");
        this.format = Objects.requireNonNull(builder.format, "format");
        this.cache = builder.cache;
        this.io = builder.io;
        this.targetDev = builder.targetDev;
        this.targetBus = builder.targetBus;
        this.serial = builder.serial;
        this.readOnly = builder.readOnly;
        this.discard = builder.discard;
    }

    /** @return a new, empty builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this spec's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.sourceType = sourceType;
        b.sourcePath = sourcePath;
        b.format = format;
        b.cache = cache;
        b.io = io;
        b.targetDev = targetDev;
        b.targetBus = targetBus;
        b.serial = serial;
        b.readOnly = readOnly;
        b.discard = discard;
        return b;
    }

    /** @return the disk source type, for example {@code file} */
    public String sourceType() {
        return sourceType;
    }

    /** @return the source: an absolute file path for {@code file} disks */
    public String sourcePath() {
        return sourcePath;
    }

    /** @return the image format, for example {@code raw} or {@code qcow2} */
    public String format() {
        return format;
    }

    /** @return the cache mode, if the driver or caller chose one */
    public Optional<String> cache() {
        return Optional.ofNullable(cache);
    }

    /** @return the io mode, if the driver or caller chose one */
    public Optional<String> io() {
        return Optional.ofNullable(io);
    }

    /** @return the guest device name, for example {@code vdb}, once the caller set it */
    public Optional<String> targetDev() {
        return Optional.ofNullable(targetDev);
    }

    /** @return the guest bus, for example {@code virtio}, once the caller set it */
    public Optional<String> targetBus() {
        return Optional.ofNullable(targetBus);
    }

    /** @return the serial number shown to the guest */
    public Optional<String> serial() {
        return Optional.ofNullable(serial);
    }

    /** @return whether the guest sees the disk read-only */
    public boolean readOnly() {
        return readOnly;
    }

    /** @return the discard mode ({@code unmap} or {@code ignore}), if set */
    public Optional<String> discard() {
        return Optional.ofNullable(discard);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DiskSpec other)) {
            return false;
        }
        return readOnly == other.readOnly && sourceType.equals(other.sourceType) && sourcePath.equals(other.sourcePath)
                && format.equals(other.format) && Objects.equals(cache, other.cache) && Objects.equals(io, other.io)
                && Objects.equals(targetDev, other.targetDev) && Objects.equals(targetBus, other.targetBus)
                && Objects.equals(serial, other.serial) && Objects.equals(discard, other.discard);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceType, sourcePath, format, cache, io, targetDev, targetBus, serial, readOnly, discard);
    }

    @Override
    public String toString() {
        return "DiskSpec{source=" + sourceType + ":" + sourcePath + ", format=" + format + ", cache=" + cache + ", io=" + io
                + ", target=" + targetDev + "/" + targetBus + ", serial=" + serial + ", readOnly=" + readOnly
                + ", discard=" + discard + "}";
    }

    /**
     * Collects the values of a {@link DiskSpec}; {@code sourceType}, {@code sourcePath} and
     * {@code format} are required.
     */
    public static final class Builder {
        private String sourceType;
        private String sourcePath;
        private String format;
        private String cache;
        private String io;
        private String targetDev;
        private String targetBus;
        private String serial;
        private boolean readOnly;
        private String discard;

        private Builder() {
        }

        /**
         * @param value the source type
         * @return this builder
         */
        public Builder sourceType(String value) {
            this.sourceType = value;
            return this;
        }

        /**
         * @param value the source path
         * @return this builder
         */
        public Builder sourcePath(String value) {
            this.sourcePath = value;
            return this;
        }

        /**
         * @param value the image format
         * @return this builder
         */
        public Builder format(String value) {
            this.format = value;
            return this;
        }

        /**
         * @param value the cache mode, or {@code null}
         * @return this builder
         */
        public Builder cache(String value) {
            this.cache = value;
            return this;
        }

        /**
         * @param value the io mode, or {@code null}
         * @return this builder
         */
        public Builder io(String value) {
            this.io = value;
            return this;
        }

        /**
         * @param dev the guest device name
         * @param bus the guest bus
         * @return this builder
         */
        public Builder target(String dev, String bus) {
            this.targetDev = dev;
            this.targetBus = bus;
            return this;
        }

        /**
         * @param value the serial, or {@code null}
         * @return this builder
         */
        public Builder serial(String value) {
            this.serial = value;
            return this;
        }

        /**
         * @param value whether the disk is read-only
         * @return this builder
         */
        public Builder readOnly(boolean value) {
            this.readOnly = value;
            return this;
        }

        /**
         * @param value the discard mode, or {@code null}
         * @return this builder
         */
        public Builder discard(String value) {
            this.discard = value;
            return this;
        }

        /**
         * @return the spec
         * @throws NullPointerException if a required value is missing
         */
        public DiskSpec build() {
            return new DiskSpec(this);
        }
    }
}
