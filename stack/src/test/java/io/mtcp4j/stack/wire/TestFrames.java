package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

/**
 * Hand-built Ethernet + IPv4/IPv6 + TCP frames with correct checksums, for capture tests.
 *
 * <p>Fields are laid down one by one at their RFC offsets with {@link NetworkOrder}, so this class
 * depends on nothing but the checksum. Once the TCP/IP flyweights exist, the frames can be built
 * with them instead; callers only see {@link #ipv4} and {@link #ipv6}.
 */
final class TestFrames {
    static final int ETHERNET_HEADER_LENGTH = 14;
    static final int IPV4_HEADER_LENGTH = 20; // no options
    static final int IPV6_HEADER_LENGTH = 40;
    static final int TCP_HEADER_LENGTH = 20; // without options

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int PROTOCOL_TCP = 6;

    // TCP flags (RFC 9293 3.1), low byte of the data-offset/flags word.
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    // TCP option kinds (RFC 9293, RFC 2018, RFC 7323).
    static final int OPTION_NOP = 1;
    static final int OPTION_MSS = 2;
    static final int OPTION_WINDOW_SCALE = 3;
    static final int OPTION_SACK_PERMITTED = 4;
    static final int OPTION_TIMESTAMPS = 8;

    /** The TCP part of a frame; {@code options} must be padded to a multiple of 4 bytes. */
    record Tcp(int sourcePort, int destinationPort, int sequence, int acknowledgment,
               int flags, int window, byte[] options, byte[] payload) {
        Tcp {
            if (options.length % 4 != 0 || options.length > 40) {
                throw new IllegalArgumentException("TCP options must be padded to 4 bytes, at most 40: " + options.length);
            }
        }

        int headerLength() {
            return TCP_HEADER_LENGTH + options.length;
        }

        int length() {
            return headerLength() + payload.length;
        }
    }

    private TestFrames() {}

    /**
     * SYN options in the order Linux sends them: MSS (kind 2, len 4), SACK-permitted (kind 4,
     * len 2), timestamps (kind 8, len 10), NOP, window scale (kind 3, len 3). 20 bytes.
     */
    static byte[] synOptions(int maximumSegmentSize, int timestampValue, int timestampEchoReply, int windowShift) {
        byte[] options = new byte[20];
        MemorySegment s = MemorySegment.ofArray(options);
        NetworkOrder.u8(s, 0, OPTION_MSS);
        NetworkOrder.u8(s, 1, 4);
        NetworkOrder.u16(s, 2, maximumSegmentSize);
        NetworkOrder.u8(s, 4, OPTION_SACK_PERMITTED);
        NetworkOrder.u8(s, 5, 2);
        NetworkOrder.u8(s, 6, OPTION_TIMESTAMPS);
        NetworkOrder.u8(s, 7, 10);
        NetworkOrder.u32(s, 8, timestampValue);
        NetworkOrder.u32(s, 12, timestampEchoReply);
        NetworkOrder.u8(s, 16, OPTION_NOP);
        NetworkOrder.u8(s, 17, OPTION_WINDOW_SCALE);
        NetworkOrder.u8(s, 18, 3);
        NetworkOrder.u8(s, 19, windowShift);
        return options;
    }

    /** NOP, NOP, timestamps: the 12-byte block on every non-SYN segment once timestamps are on. */
    static byte[] timestampOptions(int timestampValue, int timestampEchoReply) {
        byte[] options = new byte[12];
        MemorySegment s = MemorySegment.ofArray(options);
        NetworkOrder.u8(s, 0, OPTION_NOP);
        NetworkOrder.u8(s, 1, OPTION_NOP);
        NetworkOrder.u8(s, 2, OPTION_TIMESTAMPS);
        NetworkOrder.u8(s, 3, 10);
        NetworkOrder.u32(s, 4, timestampValue);
        NetworkOrder.u32(s, 8, timestampEchoReply);
        return options;
    }

    /** MSS alone (kind 2, len 4). */
    static byte[] mssOption(int maximumSegmentSize) {
        byte[] options = new byte[4];
        MemorySegment s = MemorySegment.ofArray(options);
        NetworkOrder.u8(s, 0, OPTION_MSS);
        NetworkOrder.u8(s, 1, 4);
        NetworkOrder.u16(s, 2, maximumSegmentSize);
        return options;
    }

    /** The IPv4 address a.b.c.d as raw bits. */
    static int ipv4Address(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** Ethernet II + IPv4 (no options, DF set, TTL 64) + TCP, with both checksums filled in. */
    static byte[] ipv4(long sourceMac, long destinationMac, int sourceAddress, int destinationAddress,
                       int identification, Tcp tcp) {
        int ipLength = IPV4_HEADER_LENGTH + tcp.length();
        byte[] frame = new byte[ETHERNET_HEADER_LENGTH + ipLength];
        MemorySegment s = MemorySegment.ofArray(frame);
        ethernet(s, sourceMac, destinationMac, ETHERTYPE_IPV4);

        // RFC 791 3.1.
        int ip = ETHERNET_HEADER_LENGTH;
        NetworkOrder.u8(s, ip, 0x45);                 // version 4, IHL 5 words
        NetworkOrder.u8(s, ip + 1, 0);                // DSCP 0, ECN not-ECT
        NetworkOrder.u16(s, ip + 2, ipLength);        // total length
        NetworkOrder.u16(s, ip + 4, identification);
        NetworkOrder.u16(s, ip + 6, 0x4000);          // flags: DF; fragment offset 0
        NetworkOrder.u8(s, ip + 8, 64);               // TTL
        NetworkOrder.u8(s, ip + 9, PROTOCOL_TCP);
        NetworkOrder.u16(s, ip + 10, 0);              // header checksum, filled in below
        NetworkOrder.u32(s, ip + 12, sourceAddress);
        NetworkOrder.u32(s, ip + 16, destinationAddress);
        NetworkOrder.u16(s, ip + 10, Checksum.finish(Checksum.sum(s, ip, IPV4_HEADER_LENGTH)));

        int tcpOffset = ip + IPV4_HEADER_LENGTH;
        tcp(s, tcpOffset, tcp);
        long pseudoHeader = Checksum.pseudoHeaderIpv4(sourceAddress, destinationAddress, PROTOCOL_TCP, tcp.length());
        NetworkOrder.u16(s, tcpOffset + 16,
                Checksum.finish(Checksum.add(pseudoHeader, Checksum.sum(s, tcpOffset, tcp.length()))));
        return frame;
    }

    /** Ethernet II + IPv6 (no extension headers, hop limit 64) + TCP, with the TCP checksum filled in. */
    static byte[] ipv6(long sourceMac, long destinationMac, byte[] sourceAddress, byte[] destinationAddress, Tcp tcp) {
        if (sourceAddress.length != 16 || destinationAddress.length != 16) {
            throw new IllegalArgumentException("IPv6 addresses are 16 bytes");
        }
        byte[] frame = new byte[ETHERNET_HEADER_LENGTH + IPV6_HEADER_LENGTH + tcp.length()];
        MemorySegment s = MemorySegment.ofArray(frame);
        ethernet(s, sourceMac, destinationMac, ETHERTYPE_IPV6);

        // RFC 8200 3.
        int ip = ETHERNET_HEADER_LENGTH;
        NetworkOrder.u32(s, ip, 0x6000_0000);         // version 6, traffic class 0, flow label 0
        NetworkOrder.u16(s, ip + 4, tcp.length());    // payload length
        NetworkOrder.u8(s, ip + 6, PROTOCOL_TCP);     // next header
        NetworkOrder.u8(s, ip + 7, 64);               // hop limit
        MemorySegment.copy(MemorySegment.ofArray(sourceAddress), 0, s, ip + 8, 16);
        MemorySegment.copy(MemorySegment.ofArray(destinationAddress), 0, s, ip + 24, 16);

        int tcpOffset = ip + IPV6_HEADER_LENGTH;
        tcp(s, tcpOffset, tcp);
        long pseudoHeader = Checksum.pseudoHeaderIpv6(s, ip + 8, s, ip + 24, PROTOCOL_TCP, tcp.length());
        NetworkOrder.u16(s, tcpOffset + 16,
                Checksum.finish(Checksum.add(pseudoHeader, Checksum.sum(s, tcpOffset, tcp.length()))));
        return frame;
    }

    private static void ethernet(MemorySegment s, long sourceMac, long destinationMac, int etherType) {
        // IEEE 802.3: destination MAC, source MAC (6 bytes each, the low 48 bits), EtherType.
        NetworkOrder.u16(s, 0, (int) (destinationMac >>> 32));
        NetworkOrder.u32(s, 2, (int) destinationMac);
        NetworkOrder.u16(s, 6, (int) (sourceMac >>> 32));
        NetworkOrder.u32(s, 8, (int) sourceMac);
        NetworkOrder.u16(s, 12, etherType);
    }

    /** RFC 9293 3.1 header, options and payload, with the checksum field left zero. */
    private static void tcp(MemorySegment s, int offset, Tcp tcp) {
        NetworkOrder.u16(s, offset, tcp.sourcePort());
        NetworkOrder.u16(s, offset + 2, tcp.destinationPort());
        NetworkOrder.u32(s, offset + 4, tcp.sequence());
        NetworkOrder.u32(s, offset + 8, tcp.acknowledgment());
        // Data offset in 32-bit words in the high nibble; reserved bits zero; flags in the low byte.
        NetworkOrder.u16(s, offset + 12, (tcp.headerLength() / 4) << 12 | tcp.flags());
        NetworkOrder.u16(s, offset + 14, tcp.window());
        NetworkOrder.u16(s, offset + 16, 0);          // checksum, computed by the caller
        NetworkOrder.u16(s, offset + 18, 0);          // urgent pointer
        MemorySegment.copy(MemorySegment.ofArray(tcp.options()), 0, s, offset + TCP_HEADER_LENGTH, tcp.options().length);
        MemorySegment.copy(MemorySegment.ofArray(tcp.payload()), 0, s, offset + tcp.headerLength(), tcp.payload().length);
    }
}
