package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4AddressTest {
    @Test
    void buildsAndFormatsDottedQuads() {
        assertEquals(0x0a0a_0001, Ipv4Address.of(10, 10, 0, 1));
        assertEquals(0xc0a8_00c7, Ipv4Address.of(192, 168, 0, 199));
        assertEquals("192.168.0.199", Ipv4Address.format(0xc0a8_00c7));
        assertEquals("0.0.0.0", Ipv4Address.format(Ipv4Address.ANY));
        assertEquals("255.255.255.255", Ipv4Address.format(Ipv4Address.LIMITED_BROADCAST));
    }

    @Test
    void parsesDottedQuads() {
        assertEquals(0x0a0a_0002, Ipv4Address.parse("10.10.0.2"));
        assertEquals(0xffff_ffff, Ipv4Address.parse("255.255.255.255"));
        assertEquals(0, Ipv4Address.parse("0.0.0.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.10.0", "10.10.0.1.5", "10.10.0.256", "10.10.0.01", "010.10.0.1", "10..0.1",
            "10.10.0.1 ", "+10.10.0.1", "10.10.0.-1", "1000.0.0.1", "a.b.c.d", "10.10.0.1."})
    void parseRejectsAnythingButAStrictDottedQuad(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
    }

    @Test
    void classifiesMulticastAndLoopback() {
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.of(224, 0, 0, 251)));
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.of(239, 255, 255, 250)));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.of(240, 0, 0, 1)));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.of(10, 10, 0, 1)));
        assertTrue(Ipv4Address.isLoopback(Ipv4Address.of(127, 0, 0, 1)));
        assertFalse(Ipv4Address.isLoopback(Ipv4Address.of(128, 0, 0, 1)));
    }
}
