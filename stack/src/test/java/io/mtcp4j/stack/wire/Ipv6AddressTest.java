package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv6AddressTest {

    @Test
    void halvesHoldBytesZeroToSevenAndEightToFifteen() {
        Ipv6Address address = Ipv6Address.parse("2001:db8:1:2:3:4:5:6");
        assertEquals(0x2001_0db8_0001_0002L, address.high());
        assertEquals(0x0003_0004_0005_0006L, address.low());
        assertArrayEquals(HexFormat.of().parseHex("20010db8000100020003000400050006"), address.toBytes());
        assertEquals(address, Ipv6Address.ofBytes(address.toBytes()));
    }

    @Test
    void readsAndWritesAtAnOffset() {
        byte[] bytes = new byte[19];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        Ipv6Address address = Ipv6Address.parse("fe80::1");
        assertEquals(16, address.writeTo(segment, 3));
        assertEquals((byte) 0xfe, bytes[3]);
        assertEquals((byte) 0x80, bytes[4]);
        assertEquals(1, bytes[18]);
        assertEquals(address, Ipv6Address.readFrom(segment, 3));
    }

    @Test
    void halvesReadAndWriteAtAnOffsetWithoutARecord() {
        byte[] bytes = new byte[21];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        // 2001:db8::a:b written at offset 5: bytes 5-12 the high half, 13-20 the low half.
        assertEquals(16, Ipv6Address.writeAt(segment, 5, 0x2001_0db8_0000_0000L, 0x0000_0000_000a_000bL));
        assertArrayEquals(HexFormat.of().parseHex("0000000000" + "20010db800000000" + "00000000000a000b"), bytes);
        assertEquals(0x2001_0db8_0000_0000L, Ipv6Address.highAt(segment, 5));
        assertEquals(0x0000_0000_000a_000bL, Ipv6Address.lowAt(segment, 5));
        assertEquals(Ipv6Address.parse("2001:db8::a:b"), Ipv6Address.readFrom(segment, 5));
    }

    /** RFC 5952 section 4 recommendations, with the examples of sections 2 and 4. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // 4.2.1: shorten as much as possible.
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:db8:0:0:0:0:2:1,                   2001:db8::2:1",
        "0:0:0:0:0:0:0:1,                         ::1",
        "0:0:0:0:0:0:0:0,                         ::",
        // 4.2.2: a single zero group is not shortened.
        "2001:db8:0:1:1:1:1:1,                   2001:db8:0:1:1:1:1:1",
        // 4.2.3: the longest run; the first one when runs tie.
        "2001:0:0:1:0:0:0:1,                     2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1,                   2001:db8::1:0:0:1",
        // 4.3: lower case.
        "2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:1,     2001:db8:aaaa:bbbb:cccc:dddd:eeee:1",
        // 4.1: no leading zeros.
        "2001:0db8:00aa:000b:0c00:0000:0000:0001, 2001:db8:aa:b:c00::1",
        // Runs at either end.
        "1:0:0:0:0:0:0:0,                         1::",
        "0:0:0:0:0:0:0:ffff,                      ::ffff",
        "fe80:0:0:0:0:0:0:1,                      fe80::1",
        "ff02:0:0:0:0:1:ff00:2,                   ff02::1:ff00:2",
        // 5: IPv4-mapped addresses end in dotted decimal.
        "0:0:0:0:0:ffff:c000:0201,                ::ffff:192.0.2.1",
    })
    void formatsAsRfc5952Recommends(String full, String expected) {
        assertEquals(expected, Ipv6Address.parse(full).toString());
    }

    /** RFC 5952 section 2: all these texts are the same address. */
    @ParameterizedTest
    @ValueSource(strings = {
        "2001:db8:0:0:1:0:0:1", "2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", "2001:db8::0:1:0:0:1",
        "2001:0db8::1:0:0:1", "2001:db8:0:0:1::1", "2001:db8:0000:0:1::1", "2001:DB8:0:0:1::1",
    })
    void parsesEveryTextFormOfTheSameAddress(String text) {
        assertEquals(new Ipv6Address(0x2001_0db8_0000_0000L, 0x0001_0000_0000_0001L), Ipv6Address.parse(text));
    }

    @Test
    void parsesADottedIpv4Tail() {
        assertEquals(new Ipv6Address(0, 0x0000_ffff_c000_0201L), Ipv6Address.parse("::ffff:192.0.2.1"));
        assertEquals(new Ipv6Address(0x0064_ff9b_0000_0000L, 0x0000_0000_c633_6401L), Ipv6Address.parse("64:ff9b::198.51.100.1"));
    }

    @Test
    void parsesADoubleColonStandingForOneGroup() {
        // RFC 4291 2.2 allows "::" for one or more groups; RFC 5952 4.2.2 only says not to print it so.
        assertEquals(Ipv6Address.parse("1:2:3:4:5:6:0:8"), Ipv6Address.parse("1:2:3:4:5:6::8"));
        assertEquals(Ipv6Address.parse("0:2:3:4:5:6:7:8"), Ipv6Address.parse("::2:3:4:5:6:7:8"));
        assertEquals(Ipv6Address.parse("1:2:3:4:5:6:7:0"), Ipv6Address.parse("1:2:3:4:5:6:7::"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", ":", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3", "g::", ":1::", "1::2:",
        "1:2:3:4:5:6:7:8::", "::1.2.3", "::256.1.1.1", "::01.2.3.4", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4",
        "fe80::1%eth0", "2001:db8::/32", "1.2.3.4",
    })
    void rejectsTextThatIsNotAnAddress(String text) {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse(text));
        assertTrue(thrown.getMessage().contains("'" + text + "'"), thrown.getMessage());
    }

    @Test
    void solicitedNodeAddressKeepsTheLow24Bits() {
        // RFC 4291 2.7.1: FF02:0:0:0:0:1:FFXX:XXXX.
        assertEquals(Ipv6Address.parse("ff02::1:ff00:2"), Ipv6Address.parse("fd00:10:10::2").solicitedNode());
        assertEquals(Ipv6Address.parse("ff02::1:ff34:5678"), Ipv6Address.parse("2001:db8::abcd:1234:5678").solicitedNode());
        assertEquals(Ipv6Address.parse("ff02::1:ff00:1"), Ipv6Address.parse("fe80::1").solicitedNode());
        assertEquals(0xff02_0000_0000_0000L, Ipv6Address.solicitedNodeHigh());
    }

    @Test
    void multicastMacIsThirtyThreeThirtyThreeAndTheLast32Bits() {
        // RFC 2464 7.
        assertEquals(0x3333_ff00_0002L, Ipv6Address.parse("ff02::1:ff00:2").multicastMac());
        assertEquals(0x3333_0000_0001L, Ipv6Address.ALL_NODES.multicastMac());
        assertEquals(0x3333_0000_0002L, Ipv6Address.ALL_ROUTERS.multicastMac());
        assertEquals(0x3333_1234_5678L, Ipv6Address.multicastMac(Ipv6Address.parse("ff05::abcd:1234:5678").low()));
    }

    @Test
    void linkLocalIsFe80Slash10() {
        assertTrue(Ipv6Address.parse("fe80::1").isLinkLocal());
        assertTrue(Ipv6Address.parse("febf:ffff::1").isLinkLocal());
        assertFalse(Ipv6Address.parse("fec0::1").isLinkLocal());
        assertFalse(Ipv6Address.parse("fe7f::1").isLinkLocal());
        assertFalse(Ipv6Address.parse("fd00:10:10::2").isLinkLocal());
        assertFalse(Ipv6Address.parse("ff02::1").isLinkLocal());
    }

    @Test
    void classifiesMulticastAndUnspecified() {
        assertTrue(Ipv6Address.parse("ff02::1:ff00:2").isMulticast());
        assertFalse(Ipv6Address.parse("fe80::1").isMulticast());
        assertTrue(Ipv6Address.UNSPECIFIED.isUnspecified());
        assertFalse(Ipv6Address.LOOPBACK.isUnspecified());
        assertEquals("::1", Ipv6Address.LOOPBACK.toString());
        assertEquals("ff02::1", Ipv6Address.ALL_NODES.toString());
    }

    @Test
    void ofBytesRejectsAWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> Ipv6Address.ofBytes(new byte[4]));
    }
}
