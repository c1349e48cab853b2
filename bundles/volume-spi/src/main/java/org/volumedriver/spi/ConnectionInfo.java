package org.volumedriver.spi;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The connection info a volume service hands over for a volume, in the Cinder layout:
 *
 * <pre>
 * {"driver_volume_type": "quobyte",
 *  "data": {"export": "quobyte://host/volume", "name": "volume-&lt;uuid&gt;", "format": "raw", ...}}
 * </pre>
 *
 * <p>Immutable. Parsing checks structure and types only (a driver checks grammar); keys other than
 * the ones named here are kept. {@link #toString()} is redacted. JSON input is capped at
 * {@value #MAX_JSON_CHARS} characters and {@value #MAX_DEPTH} levels, and duplicate keys are
 * refused, so that two readers can never see different values.
 */
public final class ConnectionInfo {

    /** The largest JSON text accepted, in characters. */
    public static final int MAX_JSON_CHARS = 64 * 1024;
    /** The deepest nesting of objects and arrays accepted. */
    public static final int MAX_DEPTH = 16;
    /** The longest string value accepted in the named fields. */
    public static final int MAX_FIELD_CHARS = 4096;
    /** The format assumed when {@code data.format} is absent. */
    public static final String DEFAULT_FORMAT = "raw";

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxStringLength(MAX_JSON_CHARS)
                            .maxNumberLength(64)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    private final String driverVolumeType;
    private final Map<String, Object> data;

    private ConnectionInfo(String driverVolumeType, Map<String, Object> data) {
        this.driverVolumeType = driverVolumeType;
        this.data = data;
    }

    /**
     * Parses JSON text.
     *
     * @param json the JSON text of an object in the Cinder layout
     * @return the connection info
     * @throws InvalidConnectionInfoException if the text is too large, not JSON, not an object, or
     *         a field is missing or has the wrong type
     */
    public static ConnectionInfo fromJson(String json) throws InvalidConnectionInfoException {
        if (json == null) {
            throw new InvalidConnectionInfoException("connection_info", "is missing");
        }
        if (json.length() > MAX_JSON_CHARS) {
            throw new InvalidConnectionInfoException("connection_info",
                    "is " + json.length() + " characters; at most " + MAX_JSON_CHARS + " are accepted");
        }
        Object root;
        try {
            root = JSON.readValue(json, new TypeReference<Object>() { });
        } catch (IOException e) {
            // the parser's message can quote the input, which may hold a secret: keep only the position
            String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null
                    ? " near line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr()
                    : "";
            throw new InvalidConnectionInfoException("connection_info", "is not valid JSON" + where
                    + " (duplicate keys, comments, trailing data and nesting deeper than " + MAX_DEPTH + " are refused)");
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new InvalidConnectionInfoException("connection_info", "must be a JSON object, not " + typeName(root));
        }
        return fromMap(map);
    }

    /**
     * Builds connection info from a map in the Cinder layout (as a Java caller or a JSON parser
     * produces it).
     *
     * @param map the structure; keys must be strings
     * @return the connection info, holding a deep immutable copy
     * @throws InvalidConnectionInfoException if a field is missing or has the wrong type
     */
    public static ConnectionInfo fromMap(Map<?, ?> map) throws InvalidConnectionInfoException {
        if (map == null) {
            throw new InvalidConnectionInfoException("connection_info", "is missing");
        }
        Object type = map.get("driver_volume_type");
        if (type == null) {
            throw new InvalidConnectionInfoException("driver_volume_type", "is missing");
        }
        if (!(type instanceof String typeText)) {
            throw new InvalidConnectionInfoException("driver_volume_type", "must be a string, not " + typeName(type));
        }
        if (typeText.isBlank() || typeText.length() > 64) {
            throw new InvalidConnectionInfoException("driver_volume_type", "must be 1 to 64 characters");
        }
        Object data = map.get("data");
        if (data == null) {
            throw new InvalidConnectionInfoException("data", "is missing");
        }
        if (!(data instanceof Map<?, ?> dataMap)) {
            throw new InvalidConnectionInfoException("data", "must be an object, not " + typeName(data));
        }
        Map<String, Object> copy = copyMap(dataMap, "data", 1);
        for (String field : List.of("export", "name", "format")) {
            Object value = copy.get(field);
            if (value == null) {
                if (copy.containsKey(field)) {
                    throw new InvalidConnectionInfoException("data." + field, "must be a string, not null");
                }
                continue;
            }
            if (!(value instanceof String text)) {
                throw new InvalidConnectionInfoException("data." + field, "must be a string, not " + typeName(value));
            }
            if (text.isEmpty() || text.length() > MAX_FIELD_CHARS) {
                throw new InvalidConnectionInfoException("data." + field, "must be 1 to " + MAX_FIELD_CHARS + " characters");
            }
        }
        return new ConnectionInfo(typeText, copy);
    }

    private static Map<String, Object> copyMap(Map<?, ?> source, String path, int depth) throws InvalidConnectionInfoException {
        if (depth > MAX_DEPTH) {
            throw new InvalidConnectionInfoException(path, "is nested deeper than " + MAX_DEPTH + " levels");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : source.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new InvalidConnectionInfoException(path, "has a key that is not a string");
            }
            copy.put(key, copyValue(entry.getValue(), path + "." + key, depth));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object copyValue(Object value, String path, int depth) throws InvalidConnectionInfoException {
        if (value instanceof Map<?, ?> nested) {
            return copyMap(nested, path, depth + 1);
        }
        if (value instanceof List<?> list) {
            if (depth + 1 > MAX_DEPTH) {
                throw new InvalidConnectionInfoException(path, "is nested deeper than " + MAX_DEPTH + " levels");
            }
            List<Object> copy = new ArrayList<>(list.size());
            for (Object element : list) {
                copy.add(copyValue(element, path + "[]", depth + 1));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        throw new InvalidConnectionInfoException(path, "has an unsupported value type " + value.getClass().getSimpleName());
    }

    private static String typeName(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return value.getClass().getSimpleName();
    }

    /** @return the {@code driver_volume_type} that selects the driver */
    public String driverVolumeType() {
        return driverVolumeType;
    }

    /** @return {@code data.export}, if present */
    public Optional<String> export() {
        return Optional.ofNullable((String) data.get("export"));
    }

    /** @return {@code data.name}, if present */
    public Optional<String> name() {
        return Optional.ofNullable((String) data.get("name"));
    }

    /** @return {@code data.format}, or {@value #DEFAULT_FORMAT} when absent */
    public String format() {
        String format = (String) data.get("format");
        return format == null ? DEFAULT_FORMAT : format;
    }

    /**
     * @return {@code data.export}
     * @throws InvalidConnectionInfoException naming {@code data.export} if it is absent
     */
    public String requireExport() throws InvalidConnectionInfoException {
        return export().orElseThrow(() -> new InvalidConnectionInfoException("data.export", "is missing"));
    }

    /**
     * @return {@code data.name}
     * @throws InvalidConnectionInfoException naming {@code data.name} if it is absent
     */
    public String requireName() throws InvalidConnectionInfoException {
        return name().orElseThrow(() -> new InvalidConnectionInfoException("data.name", "is missing"));
    }

    /**
     * @return the whole {@code data} object, unredacted and immutable: never print it directly,
     *         use {@link Redactor#redact(Object)}
     */
    public Map<String, Object> data() {
        return data;
    }

    /**
     * @return the redacted structure, safe to print or log
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> redacted() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("driver_volume_type", driverVolumeType);
        out.put("data", (Map<String, Object>) Redactor.redact(data));
        return Collections.unmodifiableMap(out);
    }

    /**
     * @return the full structure as JSON, unredacted: for storage, never for logs
     */
    public String toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("driver_volume_type", driverVolumeType);
        out.put("data", data);
        try {
            return JSON.writeValueAsString(out);
        } catch (IOException e) {
            throw new IllegalStateException("connection info could not be written as JSON", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof ConnectionInfo other
                && driverVolumeType.equals(other.driverVolumeType) && data.equals(other.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(driverVolumeType, data);
    }

    /** @return a redacted rendering: secrets never appear */
    @Override
    public String toString() {
        return "ConnectionInfo" + redacted();
    }
}
