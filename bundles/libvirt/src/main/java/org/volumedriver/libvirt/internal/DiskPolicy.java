package org.volumedriver.libvirt.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.volumedriver.spi.InvalidConfigurationException;
import org.volumedriver.spi.Redactor;

/**
 * The allowlists of one configuration, checked as a whole and immutable: the disk half of
 * {@link LibvirtSettings}.
 *
 * <p>Configuration can only narrow what the code knows to be safe: formats come from
 * {@link #KNOWN_FORMATS} (vmdk and friends carry backing-file and data-file attacks), source types
 * from {@link #KNOWN_SOURCE_TYPES} (a network protocol is never configurable), and so on.
 */
public record DiskPolicy(
        Map<String, List<String>> sourceTypes,
        List<String> formats,
        List<String> cacheModes,
        String defaultCache,
        List<String> ioModes,
        List<String> buses,
        List<String> discardModes,
        Pattern targetDev,
        Pattern serial,
        Pattern sourcePath) {

    static final Set<String> KNOWN_SOURCE_TYPES = Set.of("file", "block");
    static final Set<String> KNOWN_FORMATS = Set.of("raw", "qcow2");
    static final Set<String> KNOWN_CACHE = Set.of("none", "writethrough", "writeback", "directsync", "unsafe", "default");
    static final Set<String> KNOWN_IO = Set.of("native", "threads");
    static final Set<String> KNOWN_BUSES = Set.of("virtio", "scsi", "sata", "ide", "usb");
    static final Set<String> KNOWN_DISCARD = Set.of("unmap", "ignore");

    /** Cache modes under which QEMU's native AIO is safe (O_DIRECT). */
    static final Set<String> NATIVE_IO_CACHE = Set.of("none", "directsync");

    /** Characters that could end an attribute or element if a writer ever failed to escape. */
    private static final Pattern UNSAFE_IN_PATTERN_MATCH = Pattern.compile("[\\p{Cntrl}<>&'\"\\s]");

    private static final Pattern DRIVER_TYPE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /**
     * Parses and checks a configuration.
     *
     * @param config the typed configuration
     * @return the policy
     * @throws InvalidConfigurationException naming the first refused key
     */
    public static DiskPolicy from(LibvirtConfig config) throws InvalidConfigurationException {
        Map<String, List<String>> sourceTypes = new LinkedHashMap<>();
        for (String entry : list(config.source_types())) {
            int eq = entry == null ? -1 : entry.indexOf('=');
            if (eq <= 0) {
                throw new InvalidConfigurationException("source.types", Redactor.quote(entry) + " is not of the form type=source[|source]");
            }
            String type = entry.substring(0, eq).trim();
            if (!DRIVER_TYPE.matcher(type).matches()) {
                throw new InvalidConfigurationException("source.types", "driver type " + Redactor.quote(type) + " must match " + DRIVER_TYPE);
            }
            if (sourceTypes.containsKey(type)) {
                throw new InvalidConfigurationException("source.types", "driver type " + type + " is listed twice");
            }
            List<String> sources = subset("source.types", Arrays.stream(entry.substring(eq + 1).split("\\|", -1)).map(String::strip).toList(), KNOWN_SOURCE_TYPES);
            sourceTypes.put(type, sources);
        }
        List<String> formats = subset("formats", list(config.formats()), KNOWN_FORMATS);
        List<String> cache = subset("cache.modes", list(config.cache_modes()), KNOWN_CACHE);
        String defaultCache = config.default_cache();
        if (defaultCache == null || !cache.contains(defaultCache)) {
            throw new InvalidConfigurationException("default.cache", Redactor.quote(defaultCache) + " is not one of cache.modes " + cache);
        }
        List<String> io = subset("io.modes", list(config.io_modes()), KNOWN_IO);
        if (!io.contains("threads")) {
            // threads is the fallback when native is not safe for the cache mode
            throw new InvalidConfigurationException("io.modes", "must contain threads");
        }
        List<String> buses = subset("buses", list(config.buses()), KNOWN_BUSES);
        List<String> discard = subsetOrEmpty("discard.modes", list(config.discard_modes()), KNOWN_DISCARD);
        return new DiskPolicy(Collections.unmodifiableMap(sourceTypes), formats, cache, defaultCache, io, buses, discard,
                pattern("target.dev.pattern", config.target_dev_pattern()),
                pattern("serial.pattern", config.serial_pattern()),
                pattern("source.path.pattern", config.source_path_pattern()));
    }

    /**
     * @param driverType a {@code driver_volume_type}
     * @return the source types allowed for it; empty if it is not configured
     */
    public List<String> sourceTypesFor(String driverType) {
        return sourceTypes.getOrDefault(driverType, List.of());
    }

    /**
     * The elements of a list-valued key. A {@code .cfg} file (Felix fileinstall) delivers
     * {@code formats = raw, qcow2} as one string, which Declarative Services hands over as a
     * one-element array: every element is therefore split on commas, trimmed, and empty parts are
     * dropped, so a real array and a comma-separated string mean the same. No allowed value (and no
     * {@code source.types} entry, {@code type=source[|source]}) contains a comma.
     *
     * @param values the configured array, possibly {@code null}
     * @return the values in order; a {@code null} element is kept so that it is refused by name
     */
    static List<String> list(String[] values) {
        if (values == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String value : values) {
            if (value == null) {
                out.add(null);
                continue;
            }
            for (String part : value.split(",", -1)) {
                String trimmed = part.strip();
                if (!trimmed.isEmpty()) {
                    out.add(trimmed);
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static List<String> subset(String key, List<String> values, Set<String> known) throws InvalidConfigurationException {
        List<String> out = subsetOrEmpty(key, values, known);
        if (out.isEmpty()) {
            throw new InvalidConfigurationException(key, "must not be empty");
        }
        return out;
    }

    private static List<String> subsetOrEmpty(String key, List<String> values, Set<String> known) throws InvalidConfigurationException {
        Set<String> out = new LinkedHashSet<>();
        for (String value : values) {
            if (value == null || !known.contains(value)) {
                throw new InvalidConfigurationException(key, Redactor.quote(value) + " is not one of " + known.stream().sorted().toList());
            }
            if (!out.add(value)) {
                throw new InvalidConfigurationException(key, Redactor.quote(value) + " is listed twice");
            }
        }
        return List.copyOf(out);
    }

    private static Pattern pattern(String key, String regex) throws InvalidConfigurationException {
        if (regex == null || regex.isEmpty()) {
            throw new InvalidConfigurationException(key, "must not be empty");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidConfigurationException(key, "is not a valid regular expression at index " + e.getIndex());
        }
    }

    /**
     * Whether a value accepted by a configured pattern could still break out of XML; such values
     * are refused even if an administrator's pattern lets them through.
     *
     * @param value a value that matched its pattern
     * @return {@code true} if it holds a control, quote, angle bracket, ampersand or white space
     */
    static boolean hasUnsafeCharacters(String value) {
        return UNSAFE_IN_PATTERN_MATCH.matcher(value).find();
    }
}
