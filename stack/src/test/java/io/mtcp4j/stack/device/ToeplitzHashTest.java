package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Known answers from Microsoft's "Verifying the RSS Hash Calculation" (the tables every NIC
 * driver checks against), with the key printed there. The tables list destination first; the
 * hash input is source address, destination address, source port, destination port.
 */
class ToeplitzHashTest {
    private static final ToeplitzHash MICROSOFT = new ToeplitzHash(ToeplitzHash.microsoftKey());

    @ParameterizedTest(name = "{1}:{3} -> {0}:{2}")
    @CsvSource({
        // destination,   source,          dst port, src port, IPv4 only,  IPv4 with TCP
        "161.142.100.80, 66.9.149.187,    1766,  2794,  0x323e8fc2, 0x51ccc178",
        "65.69.140.83,   199.92.111.2,    4739,  14230, 0xd718262a, 0xc626b0ea",
        "12.22.207.184,  24.19.198.95,    38024, 12898, 0xd2d0a5de, 0x5c2b394a",
        "209.142.163.6,  38.27.205.30,    2217,  48228, 0x82989176, 0xafc7327f",
        "202.188.127.2,  153.39.163.191,  1303,  44251, 0x5d1809c5, 0x10e828a2",
    })
    void ipv4VerificationTable(String destination, String source, int destinationPort, int sourcePort,
                               String addressHash, String tcpHash) {
        int src = Ipv4Address.parse(source);
        int dst = Ipv4Address.parse(destination);
        assertEquals(Integer.parseUnsignedInt(addressHash.substring(2), 16), MICROSOFT.ipv4(src, dst));
        assertEquals(Integer.parseUnsignedInt(tcpHash.substring(2), 16), MICROSOFT.ipv4(src, dst, sourcePort, destinationPort));
    }

    @ParameterizedTest(name = "{1}:{3} -> {0}:{2}")
    @CsvSource({
        // destination,               source,                              dst port, src port, IPv6 only, IPv6 with TCP
        "3ffe:2501:200:3::1,       3ffe:2501:200:1fff::7,               1766,  2794,  0x2cc18cd5, 0x40207d3d",
        "ff02::1,                  3ffe:501:8::260:97ff:fe40:efab,      4739,  14230, 0x0f0c461c, 0xdde51bbf",
        "fe80::200:f8ff:fe21:67cf, 3ffe:1900:4545:3:200:f8ff:fe21:67cf, 38024, 44251, 0x4b61e985, 0x02d1feef",
    })
    void ipv6VerificationTable(String destination, String source, int destinationPort, int sourcePort,
                               String addressHash, String tcpHash) {
        Ipv6Address src = Ipv6Address.parse(source);
        Ipv6Address dst = Ipv6Address.parse(destination);
        assertEquals(Integer.parseUnsignedInt(addressHash.substring(2), 16),
                MICROSOFT.ipv6(src.high(), src.low(), dst.high(), dst.low()));
        assertEquals(Integer.parseUnsignedInt(tcpHash.substring(2), 16),
                MICROSOFT.ipv6(src.high(), src.low(), dst.high(), dst.low(), sourcePort, destinationPort));
    }

    @Test
    void microsoftKeyIsNotSymmetricButTheSymmetricKeyIs() {
        int a = Ipv4Address.parse("66.9.149.187");
        int b = Ipv4Address.parse("161.142.100.80");
        assertNotEquals(MICROSOFT.ipv4(a, b, 2794, 1766), MICROSOFT.ipv4(b, a, 1766, 2794));
        ToeplitzHash symmetric = new ToeplitzHash(ToeplitzHash.symmetricKey());
        assertEquals(symmetric.ipv4(a, b, 2794, 1766), symmetric.ipv4(b, a, 1766, 2794));
    }

    @Test
    void keyShorterThanFortyBytesIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ToeplitzHash(new byte[39]));
    }
}
