package io.mtcp4j.stack.device;

import io.mtcp4j.stack.wire.Checksum;
import io.mtcp4j.stack.wire.EthernetFlyweight;
import io.mtcp4j.stack.wire.NetworkOrder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Builds and checks real TCP frames for device tests, allocation-free so that the no-allocation
 * test can use it: Ethernet + IPv4 (20 bytes) or IPv6 (40 bytes) + TCP (20 bytes) + a payload
 * whose bytes derive from a 64-bit tag carried in the TCP sequence and acknowledgment fields, so a
 * receiver can tell which frame it got and whether any byte changed.
 */
final class TestFrames {
    static final long SOURCE_MAC = 0x02_00_00_00_00_0aL;
    static final long DESTINATION_MAC = 0x02_00_00_00_00_0bL;
    static final int ETHERNET_BYTES = EthernetFlyweight.HEADER_LENGTH;
    static final int IPV4_BYTES = 20;
    static final int IPV6_BYTES = 40;
    static final int TCP_BYTES = 20;
    /** Where the TCP checksum field sits, from the start of the TCP header. */
    static final int TCP_CHECKSUM_OFFSET = 16;

    private TestFrames() {}

    /**
     * Writes an IPv4 TCP frame at {@code offset} and returns its length. With
     * {@code partialChecksum} the TCP checksum field holds only the pseudo-header sum, as for
     * {@link FrameBatch#CHECKSUM_PARTIAL}.
     */
    static int tcp4(MemorySegment frame, long offset, int source, int destination, int sourcePort,
                    int destinationPort, long tag, int payloadBytes, boolean partialChecksum) {
        int tcpLength = TCP_BYTES + payloadBytes;
        ethernet(frame, offset, EthernetFlyweight.ETHERTYPE_IPV4);
        long ip = offset + ETHERNET_BYTES;
        NetworkOrder.u8(frame, ip, 0x45);                        // version 4, IHL 5
        NetworkOrder.u8(frame, ip + 1, 0);                       // DSCP/ECN
        NetworkOrder.u16(frame, ip + 2, IPV4_BYTES + tcpLength); // total length
        NetworkOrder.u16(frame, ip + 4, (int) tag & 0xffff);     // identification
        NetworkOrder.u16(frame, ip + 6, 0x4000);                 // DF, offset 0
        NetworkOrder.u8(frame, ip + 8, 64);                      // TTL
        NetworkOrder.u8(frame, ip + 9, 6);                       // TCP
        NetworkOrder.u16(frame, ip + 10, 0);
        NetworkOrder.u32(frame, ip + 12, source);
        NetworkOrder.u32(frame, ip + 16, destination);
        NetworkOrder.u16(frame, ip + 10, Checksum.finish(Checksum.sum(frame, ip, IPV4_BYTES)));
        long tcp = ip + IPV4_BYTES;
        tcp(frame, tcp, sourcePort, destinationPort, tag, payloadBytes);
        long pseudo = Checksum.pseudoHeaderIpv4(source, destination, 6, tcpLength);
        finishTcpChecksum(frame, tcp, tcpLength, pseudo, partialChecksum);
        return ETHERNET_BYTES + IPV4_BYTES + tcpLength;
    }

    /** Writes an IPv6 TCP frame at {@code offset} and returns its length. */
    static int tcp6(MemorySegment frame, long offset, long sourceHigh, long sourceLow, long destinationHigh,
                    long destinationLow, int sourcePort, int destinationPort, long tag, int payloadBytes,
                    boolean partialChecksum) {
        int tcpLength = TCP_BYTES + payloadBytes;
        ethernet(frame, offset, EthernetFlyweight.ETHERTYPE_IPV6);
        long ip = offset + ETHERNET_BYTES;
        NetworkOrder.u32(frame, ip, 0x6000_0000);   // version 6, class 0, flow 0
        NetworkOrder.u16(frame, ip + 4, tcpLength); // payload length
        NetworkOrder.u8(frame, ip + 6, 6);          // next header TCP
        NetworkOrder.u8(frame, ip + 7, 64);         // hop limit
        NetworkOrder.u64(frame, ip + 8, sourceHigh);
        NetworkOrder.u64(frame, ip + 16, sourceLow);
        NetworkOrder.u64(frame, ip + 24, destinationHigh);
        NetworkOrder.u64(frame, ip + 32, destinationLow);
        long tcp = ip + IPV6_BYTES;
        tcp(frame, tcp, sourcePort, destinationPort, tag, payloadBytes);
        long pseudo = Checksum.pseudoHeaderIpv6(frame, ip + 8, frame, ip + 24, 6, tcpLength);
        finishTcpChecksum(frame, tcp, tcpLength, pseudo, partialChecksum);
        return ETHERNET_BYTES + IPV6_BYTES + tcpLength;
    }

    private static void ethernet(MemorySegment frame, long offset, int etherType) {
        NetworkOrder.u32(frame, offset, (int) (DESTINATION_MAC >>> 16));
        NetworkOrder.u16(frame, offset + 4, (int) DESTINATION_MAC);
        NetworkOrder.u32(frame, offset + 6, (int) (SOURCE_MAC >>> 16));
        NetworkOrder.u16(frame, offset + 10, (int) SOURCE_MAC);
        NetworkOrder.u16(frame, offset + 12, etherType);
    }

    private static void tcp(MemorySegment frame, long tcp, int sourcePort, int destinationPort, long tag, int payloadBytes) {
        NetworkOrder.u16(frame, tcp, sourcePort);
        NetworkOrder.u16(frame, tcp + 2, destinationPort);
        NetworkOrder.u32(frame, tcp + 4, (int) (tag >>> 32)); // sequence: tag, high half
        NetworkOrder.u32(frame, tcp + 8, (int) tag);          // acknowledgment: tag, low half
        NetworkOrder.u16(frame, tcp + 12, 0x5010);            // data offset 5, ACK
        NetworkOrder.u16(frame, tcp + 14, 65535);             // window
        NetworkOrder.u16(frame, tcp + 16, 0);                 // checksum, below
        NetworkOrder.u16(frame, tcp + 18, 0);                 // urgent pointer
        for (int i = 0; i < payloadBytes; i++) {
            frame.set(ValueLayout.JAVA_BYTE, tcp + TCP_BYTES + i, payloadByte(tag, i));
        }
    }

    private static void finishTcpChecksum(MemorySegment frame, long tcp, int tcpLength, long pseudo, boolean partial) {
        if (partial) {
            NetworkOrder.u16(frame, tcp + TCP_CHECKSUM_OFFSET, Checksum.fold(pseudo));
        } else {
            NetworkOrder.u16(frame, tcp + TCP_CHECKSUM_OFFSET,
                    Checksum.finish(Checksum.add(pseudo, Checksum.sum(frame, tcp, tcpLength))));
        }
    }

    static byte payloadByte(long tag, int i) {
        long mixed = (tag + i) * 0x9E3779B97F4A7C15L;
        return (byte) (mixed >>> 56);
    }

    /** The tag of a TCP frame built here (IPv4 or IPv6). */
    static long tag(MemorySegment frame, long offset) {
        long tcp = offset + ETHERNET_BYTES + ipLength(frame, offset);
        return (NetworkOrder.u32(frame, tcp + 4) << 32) | NetworkOrder.u32(frame, tcp + 8);
    }

    private static int ipLength(MemorySegment frame, long offset) {
        return NetworkOrder.u16(frame, offset + 12) == EthernetFlyweight.ETHERTYPE_IPV6 ? IPV6_BYTES : IPV4_BYTES;
    }

    /**
     * Whether a frame built here arrived intact: its TCP checksum verifies (IPv4 also its header
     * checksum) and every payload byte is the one its tag implies.
     */
    static boolean intact(MemorySegment frame, long offset, int length) {
        if (length < ETHERNET_BYTES + IPV4_BYTES + TCP_BYTES) {
            return false;
        }
        long ip = offset + ETHERNET_BYTES;
        long pseudo;
        int tcpLength;
        if (ipLength(frame, offset) == IPV6_BYTES) {
            tcpLength = NetworkOrder.u16(frame, ip + 4);
            if (ETHERNET_BYTES + IPV6_BYTES + tcpLength != length) {
                return false;
            }
            pseudo = Checksum.pseudoHeaderIpv6(frame, ip + 8, frame, ip + 24, 6, tcpLength);
        } else {
            if (!Checksum.verifies(Checksum.sum(frame, ip, IPV4_BYTES))) {
                return false;
            }
            tcpLength = NetworkOrder.u16(frame, ip + 2) - IPV4_BYTES;
            if (ETHERNET_BYTES + IPV4_BYTES + tcpLength != length) {
                return false;
            }
            pseudo = Checksum.pseudoHeaderIpv4(NetworkOrder.u32AsInt(frame, ip + 12),
                    NetworkOrder.u32AsInt(frame, ip + 16), 6, tcpLength);
        }
        long tcp = offset + length - tcpLength;
        if (!Checksum.verifies(Checksum.add(pseudo, Checksum.sum(frame, tcp, tcpLength)))) {
            return false;
        }
        long tag = tag(frame, offset);
        for (int i = 0; i < tcpLength - TCP_BYTES; i++) {
            if (frame.get(ValueLayout.JAVA_BYTE, tcp + TCP_BYTES + i) != payloadByte(tag, i)) {
                return false;
            }
        }
        return true;
    }

    /** The frame's bytes as an array (tests compare whole frames). */
    static byte[] bytes(FrameBatch batch, int i) {
        return batch.segment(i).asSlice(batch.offset(i), batch.length(i)).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Lends one buffer on {@code queue}, writes a 4-tuple IPv4 frame tagged {@code tag} into it. */
    static int sendTcp4(NetDevice device, int queue, FrameBatch batch, int source, int destination,
                        int sourcePort, int destinationPort, long tag, int payloadBytes) {
        if (device.lend(queue, batch, 1) != 1) {
            throw new AssertionError("device lent no buffer");
        }
        int i = batch.count() - 1;
        int length = tcp4(batch.segment(i), batch.offset(i), source, destination, sourcePort, destinationPort,
                tag, payloadBytes, false);
        batch.length(i, length);
        return i;
    }
}
