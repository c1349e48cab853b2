package org.volumedriver.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Exports lose their URL user information and sensitive pairs, and nothing else (A6). */
class RedactExportTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "quobyte://user:pw@host/v                 | quobyte://***@host/v",
        "quobyte://user@host/v                    | quobyte://***@host/v",
        "quobyte://u:p@ss@host:7861/v             | quobyte://***@host:7861/v",
        "user:pw@reg1:7861,reg2/vol               | ***@reg1:7861,reg2/vol",
        "//user:pw@host/v                         | //***@host/v",
        "nfs://u:pw@host?x=1                      | nfs://***@host?x=1",
        "quobyte://host/v?password=hunter2        | quobyte://host/v?password=***",
        "quobyte://a:b@host/v?token=t0k           | quobyte://***@host/v?token=***",
        "quobyte://192.168.1.1/volume-00001       | quobyte://192.168.1.1/volume-00001",
        "reg1:7861,[fd00::1]:7861/vol-1           | reg1:7861,[fd00::1]:7861/vol-1",
        "quobyte://host/v@snap                    | quobyte://host/v@snap",
        "host#frag@x                              | host#frag@x",
    })
    void masksUserInformationAndSensitivePairs(String export, String expected) {
        assertEquals(expected, Redactor.redactExport(export));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "quobyte://user:pw@host/v",
        "quobyte://host/v?password=pw",
    })
    void isIdempotent(String export) {
        String once = Redactor.redactExport(export);
        assertEquals(once, Redactor.redactExport(once));
    }

    @org.junit.jupiter.api.Test
    void isNullSafe() {
        assertNull(Redactor.redactExport(null));
        assertEquals("", Redactor.redactExport(""));
    }
}
