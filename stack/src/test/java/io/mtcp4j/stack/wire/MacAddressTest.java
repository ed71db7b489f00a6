package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {
    @Test
    void formatsLowerCaseWithColonsAndLeadingZeros() {
        assertEquals("02:00:0a:0a:00:01", MacAddress.format(0x0200_0a0a_0001L));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.format(MacAddress.BROADCAST));
        assertEquals("00:00:00:00:00:00", MacAddress.format(MacAddress.ZERO));
    }

    @Test
    void parsesEitherCase() {
        assertEquals(0x0200_0a0a_0001L, MacAddress.parse("02:00:0a:0a:00:01"));
        assertEquals(0xdead_beef_cafeL, MacAddress.parse("DE:AD:be:ef:Ca:fE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:00:0a:0a:00", "02:00:0a:0a:00:01:02", "02-00-0a-0a-00-01", "02:00:0a:0a:00:0g",
            "2:00:0a:0a:00:01:", "02:00:0a:0a:0001", " 02:00:0a:0a:00:01"})
    void parseRejectsAnythingButTheColonForm(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void readsAndWritesSixBytesInWireOrder() {
        byte[] bytes = new byte[8];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        MacAddress.write(segment, 1, 0x0011_2233_4455L);
        assertArrayEquals(new byte[] {0, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0}, bytes);
        assertEquals(0x0011_2233_4455L, MacAddress.read(segment, 1));
    }

    @Test
    void classifiesGroupAndLocalAddressesByTheirFirstByte() {
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isBroadcast(MacAddress.BROADCAST));
        // 01:00:5e:00:00:fb is the IPv4 mDNS group; 33:33:00:00:00:01 the IPv6 all-nodes group.
        assertTrue(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:fb")));
        assertTrue(MacAddress.isMulticast(MacAddress.parse("33:33:00:00:00:01")));
        assertFalse(MacAddress.isBroadcast(MacAddress.parse("33:33:00:00:00:01")));
        // A vendor-assigned unicast address: neither group nor local.
        long vendor = MacAddress.parse("00:1b:21:3a:4f:10");
        assertFalse(MacAddress.isMulticast(vendor));
        assertFalse(MacAddress.isLocallyAdministered(vendor));
        assertTrue(MacAddress.isLocallyAdministered(MacAddress.parse("02:00:0a:0a:00:01")));
        assertFalse(MacAddress.isValid(1L << 48));
        assertTrue(MacAddress.isValid(MacAddress.BROADCAST));
    }
}
