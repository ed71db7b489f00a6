package io.mtcp4j.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration keys: defaults, parsing, and messages that name the key, the value and what is allowed. */
class MtcpConfigTest {

    @Test
    void theDefaultsAreOneEngineOnLoopbackWithCubic() {
        MtcpConfig config = MtcpConfig.defaults();
        assertEquals(1, config.engines());
        assertEquals(MtcpConfig.Loopback.STACK, config.loopback());
        assertEquals("cubic", config.congestionControl());
        assertEquals(256 * 1024, config.receiveBufferBytes());
        assertEquals(256 * 1024, config.sendBufferBytes());
        assertEquals(60_000_000_000L, config.timeWaitNs());
        assertEquals(config, MtcpConfig.from(Map.of(), "mtcp4j."));
    }

    @Test
    void everyKeyIsRead() {
        MtcpConfig config = MtcpConfig.from(Map.of("engines", "4", "loopback", "kernel", "cc", "NewReno",
                "rcvbuf", "1m", "sndbuf", "65536", "time_wait", "500ms"), "mtcp4j.");
        assertEquals(4, config.engines());
        assertEquals(MtcpConfig.Loopback.KERNEL, config.loopback());
        assertEquals("newreno", config.congestionControl());
        assertEquals(1 << 20, config.receiveBufferBytes());
        assertEquals(65536, config.sendBufferBytes());
        assertEquals(500_000_000L, config.timeWaitNs());
        assertEquals("newreno", config.tcp().congestionControl());
        assertEquals(1 << 20, config.tcp().receiveBufferBytes());
        assertEquals(500_000_000L, config.tcp().timeWaitNs());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "time_wait, 60s, 60000000000",
            "time_wait, 2m, 120000000000",
            "time_wait, 1ms, 1000000",
            "rcvbuf, 4k, 4096",
            "rcvbuf, 1g, 1073741824",
            "sndbuf, 128K, 131072"})
    void unitsAndSuffixesAreUnderstood(String key, String value, long expected) {
        MtcpConfig config = MtcpConfig.from(Map.of(key, value), "mtcp4j.");
        long actual = switch (key) {
            case "time_wait" -> config.timeWaitNs();
            case "rcvbuf" -> config.receiveBufferBytes();
            default -> config.sendBufferBytes();
        };
        assertEquals(expected, actual);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "engines|0|an integer from 1 to 64",
            "engines|65|an integer from 1 to 64",
            "engines|two|an integer from 1 to 64",
            "loopback|both|stack or kernel",
            "cc|bbr|cubic or newreno",
            "rcvbuf|1000|a power of two",
            "rcvbuf|2g|a power of two",
            "sndbuf|3k|a power of two",
            "sndbuf|lots|a power of two",
            "time_wait|60|a positive duration",
            "time_wait|0s|a positive duration",
            "time_wait|-5ms|a positive duration",
            "time_wait|soon|a positive duration"})
    void aBadValueNamesTheKeyTheValueAndWhatIsAllowed(String key, String value, String allowed) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MtcpConfig.from(Map.of(key, value), "mtcp4j."));
        assertTrue(e.getMessage().startsWith("mtcp4j." + key + "=" + value + " is not allowed: use "), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
    }

    @Test
    void keysOfOtherPartsAreIgnored() {
        assertEquals(MtcpConfig.defaults(), MtcpConfig.from(Map.of("buildDirectory", "target-x", "driver", "tap"), "mtcp4j."));
    }

    @Test
    void systemPropertiesOverrideTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mtcp4j.properties");
        Files.writeString(file, "engines=2\ncc=newreno\n");
        Properties properties = new Properties();
        properties.setProperty("mtcp4j.config", file.toString());
        properties.setProperty("mtcp4j.engines", "3");
        properties.setProperty("unrelated", "x");
        MtcpConfig config = MtcpConfig.fromProperties(properties);
        assertEquals(3, config.engines());
        assertEquals("newreno", config.congestionControl());
    }

    @Test
    void anUnreadableFileIsNamed(@TempDir Path dir) {
        Properties properties = new Properties();
        properties.setProperty("mtcp4j.config", dir.resolve("missing.properties").toString());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> MtcpConfig.fromProperties(properties));
        assertTrue(e.getMessage().startsWith("mtcp4j.config=" + dir.resolve("missing.properties")), e.getMessage());
    }
}
