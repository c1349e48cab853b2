package org.volumedriver.monitoring.internal;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import org.volumedriver.spi.InvalidConfigurationException;

/**
 * The configuration of PID {@value #PID}, read from the properties ConfigAdmin hands over: values
 * arrive typed (the console, ConfigAdmin) or as strings (a {@code .cfg} file).
 *
 * @param enabled whether the metrics servlet is registered
 * @param path the servlet's path in the default HTTP context
 * @param mountsCache how long a driver's {@code mounts()} answer is served before it is asked again
 * @param mountsTimeout the longest a scrape waits for a {@code mounts()} answer before it serves the last one
 */
record MonitoringSettings(boolean enabled, String path, Duration mountsCache, Duration mountsTimeout) {

    /** The configuration PID. */
    static final String PID = "org.volumedriver.monitoring";

    static final String ENABLED = "metrics.enabled";
    static final String PATH = "metrics.path";
    static final String MOUNTS_CACHE_SECONDS = "metrics.mounts.cache.seconds";
    static final String MOUNTS_TIMEOUT_MILLIS = "metrics.mounts.timeout.millis";

    static final String DEFAULT_PATH = "/metrics";
    static final long DEFAULT_MOUNTS_CACHE_SECONDS = 10;
    static final long DEFAULT_MOUNTS_TIMEOUT_MILLIS = 2_000;

    /** One exact path of the whiteboard: no wildcard, no extension mapping, no empty segment. */
    private static final Pattern SERVLET_PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");
    private static final int MAX_PATH = 256;

    /** The settings of an absent or empty configuration. */
    static final MonitoringSettings DEFAULTS = new MonitoringSettings(true, DEFAULT_PATH,
            Duration.ofSeconds(DEFAULT_MOUNTS_CACHE_SECONDS), Duration.ofMillis(DEFAULT_MOUNTS_TIMEOUT_MILLIS));

    /**
     * @param properties the configuration properties, possibly {@code null}
     * @return the settings, the defaults for every key not set
     * @throws InvalidConfigurationException naming the first key whose value is refused
     */
    static MonitoringSettings fromProperties(Map<String, ?> properties) throws InvalidConfigurationException {
        Map<String, ?> p = properties == null ? Map.of() : properties;
        boolean enabled = bool(ENABLED, p.get(ENABLED), true);
        String path = text(p.get(PATH), DEFAULT_PATH);
        if (path.length() > MAX_PATH || !SERVLET_PATH.matcher(path).matches() || path.contains("/./")
                || path.contains("/../") || path.endsWith("/.") || path.endsWith("/..")) {
            throw new InvalidConfigurationException(PATH, "must be an absolute path like /metrics of letters, digits and . _ ~ - "
                    + "between single slashes, not / alone and without a trailing /");
        }
        long cacheSeconds = number(MOUNTS_CACHE_SECONDS, p.get(MOUNTS_CACHE_SECONDS), DEFAULT_MOUNTS_CACHE_SECONDS, 0, 3_600);
        long timeoutMillis = number(MOUNTS_TIMEOUT_MILLIS, p.get(MOUNTS_TIMEOUT_MILLIS), DEFAULT_MOUNTS_TIMEOUT_MILLIS, 0, 60_000);
        return new MonitoringSettings(enabled, path, Duration.ofSeconds(cacheSeconds), Duration.ofMillis(timeoutMillis));
    }

    private static String text(Object value, String fallback) {
        if (value == null) {
            return fallback;
        }
        String s = value.toString().trim();
        return s.isEmpty() ? fallback : s;
    }

    private static boolean bool(String key, Object value, boolean fallback) throws InvalidConfigurationException {
        if (value instanceof Boolean b) {
            return b;
        }
        String s = text(value, null);
        if (s == null) {
            return fallback;
        }
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidConfigurationException(key, "must be true or false, not " + quoted(s));
        };
    }

    private static long number(String key, Object value, long fallback, long min, long max) throws InvalidConfigurationException {
        long n;
        if (value instanceof Number number && !(value instanceof Double) && !(value instanceof Float)) {
            n = number.longValue();
        } else {
            String s = text(value, null);
            if (s == null) {
                return fallback;
            }
            try {
                n = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new InvalidConfigurationException(key, "must be a whole number, not " + quoted(s));
            }
        }
        if (n < min || n > max) {
            throw new InvalidConfigurationException(key, "must be between " + min + " and " + max + ", not " + n);
        }
        return n;
    }

    /** A value for an error line: short and printable, never the whole of what was configured. */
    private static String quoted(String s) {
        String shortened = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return "'" + shortened.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
