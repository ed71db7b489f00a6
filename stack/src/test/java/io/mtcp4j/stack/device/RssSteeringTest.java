package io.mtcp4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class RssSteeringTest {
    private static final int CLIENT = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER = Ipv4Address.parse("10.0.0.2");
    private final RssSteering steering = RssSteering.symmetric(4);
    private final MemorySegment frame = MemorySegment.ofArray(new byte[256]);

    @Test
    void queueFollowsTheLowSevenBitsOfTheHashThroughTheIndirectionTable() {
        assertEquals(0, steering.queueOfHash(0));
        assertEquals(3, steering.queueOfHash(3));
        assertEquals(1, steering.queueOfHash(0x85)); // 0x85 & 0x7f = 5, 5 % 4 = 1
        assertEquals(steering.queueOfHash(7), steering.queueOfHash(0xffff_ff87));
    }

    @Test
    void ipv4TcpFramesSteerByTheirFourTuple() {
        int length = TestFrames.tcp4(frame, 0, CLIENT, SERVER, 40000, 80, 1, 0, false);
        assertEquals(steering.queueOfIpv4(CLIENT, SERVER, 40000, 80), steering.queueOfFrame(frame, 0, length));
    }

    @Test
    void ipv6TcpFramesSteerByTheirFourTupleAndSymmetrically() {
        Ipv6Address client = Ipv6Address.parse("fd00::1");
        Ipv6Address server = Ipv6Address.parse("fd00::2");
        int length = TestFrames.tcp6(frame, 0, client.high(), client.low(), server.high(), server.low(),
                40000, 443, 1, 0, false);
        int queue = steering.queueOfFrame(frame, 0, length);
        assertEquals(steering.queueOfIpv6(client.high(), client.low(), server.high(), server.low(), 40000, 443), queue);
        assertEquals(steering.queueOfIpv6(server.high(), server.low(), client.high(), client.low(), 443, 40000), queue);
    }

    @Test
    void portsSpreadFlowsOverEveryQueue() {
        boolean[] seen = new boolean[4];
        for (int port = 40000; port < 40064; port++) {
            seen[steering.queueOfIpv4(CLIENT, SERVER, port, 80)] = true;
        }
        for (int q = 0; q < 4; q++) {
            assertTrue(seen[q], "no flow of 64 landed on queue " + q);
        }
    }

    @Test
    void anIpv4FragmentSteersByItsAddressesOnly() {
        int length = TestFrames.tcp4(frame, 0, CLIENT, SERVER, 40000, 80, 1, 0, false);
        NetworkOrder.u16(frame, 14 + 6, 0x2000); // more fragments: the ports may not be trusted
        ToeplitzHash symmetric = new ToeplitzHash(ToeplitzHash.symmetricKey());
        assertEquals(steering.queueOfHash(symmetric.ipv4(CLIENT, SERVER)), steering.queueOfFrame(frame, 0, length));
    }

    @Test
    void aVlanTagIsSkipped() {
        int length = TestFrames.tcp4(frame, 4, CLIENT, SERVER, 40001, 80, 1, 0, false);
        // Move the MAC addresses 4 bytes forward and insert an 802.1Q tag where they ended.
        MemorySegment.copy(frame, 4, frame, 0, 12);
        NetworkOrder.u16(frame, 12, 0x8100);
        NetworkOrder.u16(frame, 14, 42); // VLAN 42
        NetworkOrder.u16(frame, 16, 0x0800);
        assertEquals(steering.queueOfIpv4(CLIENT, SERVER, 40001, 80), steering.queueOfFrame(frame, 0, length + 4));
    }

    @Test
    void arpTruncatedAndForeignFramesGoToQueueZero() {
        NetworkOrder.u16(frame, 12, 0x0806); // ARP
        assertEquals(0, steering.queueOfFrame(frame, 0, 60));
        assertEquals(0, steering.queueOfFrame(frame, 0, 10));
        int length = TestFrames.tcp4(frame, 0, CLIENT, SERVER, 40002, 80, 1, 0, false);
        assertEquals(0, steering.queueOfFrame(frame, 0, 30)); // cut inside the IPv4 header
        NetworkOrder.u8(frame, 14, 0x55); // version 5
        assertEquals(0, steering.queueOfFrame(frame, 0, length));
    }

    @Test
    void unknownSteeringSaysSo() {
        assertFalse(ReceiveSteering.UNKNOWN.computable());
        assertEquals(-1, ReceiveSteering.UNKNOWN.queueOfIpv4(CLIENT, SERVER, 1, 2));
        assertTrue(steering.computable());
    }
}
