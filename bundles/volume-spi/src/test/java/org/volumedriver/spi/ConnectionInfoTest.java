package org.volumedriver.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionInfoTest {

    private static final String VALID = """
            {"driver_volume_type": "quobyte",
             "data": {"export": "quobyte://192.168.1.1/volume-00001",
                      "name": "volume-6f2c4c0e-9f6a-4c48-a3a5-0a3b0e6f2a11",
                      "format": "qcow2",
                      "qos_specs": null,
                      "options": {"auth_password": "hunter2", "list": [1, 2, {"chap_secret": "sesame"}]}}}
            """;

    @Test
    void parsesCinderStyleInfoAndKeepsOtherKeys() throws Exception {
        ConnectionInfo info = ConnectionInfo.fromJson(VALID);
        assertEquals("quobyte", info.driverVolumeType());
        assertEquals(Optional.of("quobyte://192.168.1.1/volume-00001"), info.export());
        assertEquals("volume-6f2c4c0e-9f6a-4c48-a3a5-0a3b0e6f2a11", info.requireName());
        assertEquals("qcow2", info.format());
        assertTrue(info.data().containsKey("qos_specs"));
        assertEquals("hunter2", ((Map<?, ?>) info.data().get("options")).get("auth_password"));
    }

    @Test
    void formatDefaultsToRaw() throws Exception {
        ConnectionInfo info = ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte",
                "data", Map.of("export", "h/v", "name", "volume-1")));
        assertEquals("raw", info.format());
    }

    @Test
    void isDeeplyImmutable() throws Exception {
        Map<String, Object> options = new HashMap<>();
        options.put("k", "v");
        Map<String, Object> data = new HashMap<>();
        data.put("export", "h/v");
        data.put("options", options);
        ConnectionInfo info = ConnectionInfo.fromMap(Map.of("driver_volume_type", "quobyte", "data", data));
        options.put("k", "changed");
        data.put("export", "other/v");
        assertEquals("h/v", info.requireExport());
        assertEquals("v", ((Map<?, ?>) info.data().get("options")).get("k"));
        assertThrows(UnsupportedOperationException.class, () -> info.data().put("x", "y"));
    }

    @Test
    void roundTripsThroughJson() throws Exception {
        ConnectionInfo info = ConnectionInfo.fromJson(VALID);
        assertEquals(info, ConnectionInfo.fromJson(info.toJson()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"data\": {}}                                              | driver_volume_type",
            "{\"driver_volume_type\": 7, \"data\": {}}                   | driver_volume_type",
            "{\"driver_volume_type\": \"\", \"data\": {}}                | driver_volume_type",
            "{\"driver_volume_type\": \"quobyte\"}                       | data",
            "{\"driver_volume_type\": \"quobyte\", \"data\": []}         | data",
            "{\"driver_volume_type\": \"quobyte\", \"data\": \"x\"}      | data",
            "{\"driver_volume_type\": \"quobyte\", \"data\": {\"export\": 1}}        | data.export",
            "{\"driver_volume_type\": \"quobyte\", \"data\": {\"export\": null}}     | data.export",
            "{\"driver_volume_type\": \"quobyte\", \"data\": {\"name\": [\"a\"]}}    | data.name",
            "{\"driver_volume_type\": \"quobyte\", \"data\": {\"name\": \"\"}}       | data.name",
            "{\"driver_volume_type\": \"quobyte\", \"data\": {\"format\": true}}     | data.format",
            "{\"driver_volume_type\": \"quobyte\", \"data\": {\"format\": {}}}       | data.format",
    })
    void missingOrMistypedFieldIsNamed(String json, String field) {
        InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class, () -> ConnectionInfo.fromJson(json));
        assertEquals(field, e.field());
        assertEquals("INVALID_CONNECTION_INFO", e.code());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void missingExportOrNameIsNamedWhenRequired() throws Exception {
        ConnectionInfo info = ConnectionInfo.fromJson("{\"driver_volume_type\": \"quobyte\", \"data\": {}}");
        assertEquals("data.export", assertThrows(InvalidConnectionInfoException.class, info::requireExport).field());
        assertEquals("data.name", assertThrows(InvalidConnectionInfoException.class, info::requireName).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"driver_volume_type\": \"quobyte\"}]", "\"quobyte\"", "42", "null", "true"})
    void jsonThatIsNotAnObjectIsRefused(String json) {
        InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class, () -> ConnectionInfo.fromJson(json));
        assertEquals("connection_info", e.field());
        assertTrue(e.getMessage().contains("must be a JSON object"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "{",
            "{\"driver_volume_type\": \"quobyte\", \"data\": {}} trailing",
            "{\"driver_volume_type\": \"quobyte\", \"driver_volume_type\": \"nfs\", \"data\": {}}",
            "{\"driver_volume_type\": \"quobyte\", /* c */ \"data\": {}}",
            "{'driver_volume_type': 'quobyte', 'data': {}}"})
    void malformedJsonIsRefusedWithoutEchoingIt(String json) {
        InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class, () -> ConnectionInfo.fromJson(json));
        assertEquals("connection_info", e.field());
        assertFalse(e.getMessage().contains("nfs"), e.getMessage());
    }

    @Test
    void oversizedInputIsRefusedBeforeParsing() {
        String huge = "{\"driver_volume_type\": \"quobyte\", \"data\": {\"pad\": \"" + "x".repeat(ConnectionInfo.MAX_JSON_CHARS) + "\"}}";
        InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class, () -> ConnectionInfo.fromJson(huge));
        assertTrue(e.getMessage().contains("at most " + ConnectionInfo.MAX_JSON_CHARS), e.getMessage());
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "{\"driver_volume_type\": \"quobyte\", \"data\": " + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}";
        assertThrows(InvalidConnectionInfoException.class, () -> ConnectionInfo.fromJson(deep));
    }

    @Test
    void fieldTooLongIsRefused() {
        String json = "{\"driver_volume_type\": \"quobyte\", \"data\": {\"name\": \"" + "a".repeat(ConnectionInfo.MAX_FIELD_CHARS + 1) + "\"}}";
        assertEquals("data.name", assertThrows(InvalidConnectionInfoException.class, () -> ConnectionInfo.fromJson(json)).field());
    }

    @Test
    void secretsNeverAppearInToStringOrRedactedView() throws Exception {
        ConnectionInfo info = ConnectionInfo.fromJson(VALID);
        for (String rendering : List.of(info.toString(), String.valueOf(info.redacted()))) {
            assertFalse(rendering.contains("hunter2"), rendering);
            assertFalse(rendering.contains("sesame"), rendering);
            assertTrue(rendering.contains("quobyte://192.168.1.1/volume-00001"), rendering);
        }
    }

    @Test
    void secretsNeverAppearInErrorMessages() {
        String json = "{\"driver_volume_type\": \"quobyte\", \"data\": {\"password\": \"hunter2\", \"format\": 5}";
        InvalidConnectionInfoException e = assertThrows(InvalidConnectionInfoException.class, () -> ConnectionInfo.fromJson(json));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        String typed = "{\"driver_volume_type\": \"quobyte\", \"data\": {\"password\": \"hunter2\", \"format\": 5}}";
        InvalidConnectionInfoException e2 = assertThrows(InvalidConnectionInfoException.class, () -> ConnectionInfo.fromJson(typed));
        assertFalse(e2.getMessage().contains("hunter2"), e2.getMessage());
        UnsupportedFormatException e3 = new UnsupportedFormatException("data.format", "password=hunter2", List.of("raw", "qcow2"));
        assertFalse(e3.getMessage().contains("hunter2"), e3.getMessage());
    }
}
