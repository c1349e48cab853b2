package org.volumedriver.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {

    @ParameterizedTest
    @ValueSource(strings = {"password", "PASSWORD", "auth_password", "Secret", "x-auth-token", "Passphrase",
            "private_key", "encrypted_key", "chap_secret", "auth_username", "credentials", "API_KEY"})
    void sensitiveKeysInAnyCase(String key) {
        assertTrue(Redactor.isSensitiveKey(key), key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"export", "name", "format", "options", "volume_id", "qos_specs"})
    void ordinaryKeysAreNotSensitive(String key) {
        assertFalse(Redactor.isSensitiveKey(key), key);
    }

    @Test
    void nestedMapsAndListsAreMaskedRecursively() {
        Map<String, Object> input = Map.of(
                "export", "quobyte://reg/vol",
                "auth", Map.of("user", "u"),
                "options", List.of(Map.of("chap_password", "hunter2", "size", 3), "plain"),
                "nested", Map.of("deeper", Map.of("Token", "abc123")));
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) Redactor.redact(input);
        assertEquals("quobyte://reg/vol", out.get("export"));
        assertEquals(Redactor.MASK, out.get("auth"));
        assertEquals(List.of(Map.of("chap_password", Redactor.MASK, "size", 3), "plain"), out.get("options"));
        assertEquals(Map.of("deeper", Map.of("Token", Redactor.MASK)), out.get("nested"));
        assertFalse(String.valueOf(out).contains("hunter2"));
        assertFalse(String.valueOf(out).contains("abc123"));
    }

    @Test
    void optionWithSeparateValueIsMasked() {
        assertEquals(List.of("tool", "--password", Redactor.MASK, "--user", "bob"),
                Redactor.redactArgv(List.of("tool", "--password", "hunter2", "--user", "bob")));
    }

    @Test
    void optionWithInlineValueAndKeyValueAreMasked() {
        assertEquals(List.of("--password=" + Redactor.MASK, "secret_key=" + Redactor.MASK, "size=3"),
                Redactor.redactArgv(List.of("--password=hunter2", "secret_key=abc", "size=3")));
    }

    @Test
    void textFormsAreMasked() {
        String text = "mount failed: --password hunter2 auth_key=abc123 {\"chap_secret\": \"s3\\\"x\"} {'token': 'tk'}";
        String out = Redactor.redactText(text);
        for (String secret : List.of("hunter2", "abc123", "s3", "tk'")) {
            assertFalse(out.contains(secret), () -> secret + " leaked in " + out);
        }
        assertTrue(out.startsWith("mount failed: --password ***"), out);
        assertTrue(out.contains("\"chap_secret\": \"***\""), out);
        assertTrue(out.contains("'token': '***'"), out);
    }

    @Test
    void doesNoHarmToOrdinaryTextAndArgv() {
        List<String> argv = List.of("/usr/bin/mount.quobyte", "--disable-xattrs", "reg1:7861,reg2/vol-1",
                "/var/lib/nova/mnt/c94ed34ada0acf45c1213beb1fc52ce6", "-c", "/etc/quobyte/client.cfg");
        assertEquals(argv, Redactor.redactArgv(argv));
        String prose = "export=quobyte://192.168.1.1/volume-00001 format=qcow2 mounted in 12 ms";
        assertEquals(prose, Redactor.redactText(prose));
        assertEquals(Map.of("size", 1, "name", "volume-1"), Redactor.redact(Map.of("size", 1, "name", "volume-1")));
    }

    @Test
    void redactionIsIdempotent() {
        String once = Redactor.redactText("password=abc --token xyz");
        assertEquals(once, Redactor.redactText(once));
    }

    @Test
    void nullsAreKept() {
        assertEquals(null, Redactor.redactText(null));
        assertEquals(Arrays.asList("a", null), Redactor.redactArgv(Arrays.asList("a", null)));
    }

    @Test
    void quoteEscapesControlCharactersTruncatesAndMasks() {
        assertEquals("'a\\u000ab'", Redactor.quote("a\nb"));
        assertEquals("'\\u0027x'".replace("\\u0027", "\\u0027"), Redactor.quote("'x"));
        assertTrue(Redactor.quote("x".repeat(500)).contains("...(500 chars)"));
        assertFalse(Redactor.quote("password=hunter2").contains("hunter2"));
    }
}
