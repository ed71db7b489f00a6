package io.mtcp4j.stack.wire;

import java.util.HexFormat;

/** Hand-built TCP segments shared by the TCP wire tests, and a naive checksum to check against. */
final class TcpTestBytes {
    private TcpTestBytes() {}

    /** 192.168.1.2, the client in the segments below. */
    static final int CLIENT_ADDRESS = 0xc0a80102;
    /** 192.168.1.1, the server. */
    static final int SERVER_ADDRESS = 0xc0a80101;

    /** Hex with spaces allowed between bytes, one string per header row for readability. */
    static byte[] hex(String... rows) {
        return HexFormat.of().parseHex(String.join("", rows).replace(" ", ""));
    }

    /** A SYN as Linux sends it: 192.168.1.2:40000 -> 192.168.1.1:80. */
    static byte[] linuxSyn() {
        return hex(
                "9c40 0050",  // source port 40000, destination port 80
                "000003e8",   // sequence number 1000
                "00000000",   // acknowledgment number 0 (ACK not set)
                "a0 02 faf0", // data offset 10 words (40 bytes), flags SYN; window 64240
                "2942 0000",  // checksum (computed independently, see the checksum tests); urgent pointer 0
                "02 04 05b4", // MSS, length 4, 1460
                "04 02 08 0a", // SACK-Permitted, length 2; Timestamps, length 10 ...
                "00000001",   //   ... TSval 1
                "00000000",   //   ... TSecr 0
                "01 03 03 07"); // NOP; Window Scale, length 3, shift 7
    }

    /** The server's SYN-ACK: 80 -> 40000, seq 5000, ack 1001. */
    static byte[] linuxSynAck() {
        return hex(
                "0050 9c40",  // source port 80, destination port 40000
                "00001388",   // sequence number 5000
                "000003e9",   // acknowledgment number 1001
                "a0 12 fe88", // data offset 10 words, flags SYN+ACK; window 65160
                "120f 0000",  // checksum (computed independently), urgent pointer 0
                "02 04 05b4", // MSS 1460
                "04 02 08 0a", // SACK-Permitted; Timestamps ...
                "00000002",   //   ... TSval 2
                "00000001",   //   ... TSecr 1
                "01 03 03 07"); // NOP; Window Scale 7
    }

    /** A data segment with NOP NOP TS and the 5 bytes "hello": 40000 -> 80. */
    static byte[] dataSegment() {
        return hex(
                "9c40 0050",  // source port 40000, destination port 80
                "000003e9",   // sequence number 1001
                "00001389",   // acknowledgment number 5001
                "80 18 01f6", // data offset 8 words (32 bytes), flags PSH+ACK; window 502
                "f98e 0000",  // checksum (computed independently), urgent pointer 0
                "01 01 08 0a", // NOP, NOP, Timestamps, length 10 ...
                "00000002",   //   ... TSval 2
                "00000001",   //   ... TSecr 1
                "68656c6c6f"); // "hello"
    }

    /** A reset answering a segment: 80 -> 40000, RST+ACK, no options. */
    static byte[] reset() {
        return hex(
                "0050 9c40",  // source port 80, destination port 40000
                "00000000",   // sequence number 0
                "000003e9",   // acknowledgment number 1001
                "50 14 0000", // data offset 5 words, flags RST+ACK; window 0
                "0000 0000"); // checksum (not filled), urgent pointer 0
    }

    /**
     * A 20-byte fixed header (ports 1234 -> 5678, seq 1, ack 2, ACK, window 1000) with these option
     * bytes and a data offset covering them; the option bytes must be a multiple of 4.
     */
    static byte[] headerWithOptions(String optionsHex) {
        byte[] options = hex(optionsHex);
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("options must be whole words, at most 40 bytes: " + options.length);
        }
        byte[] header = new byte[20 + options.length];
        System.arraycopy(hex(
                "04d2 162e", // source port 1234, destination port 5678
                "00000001",  // sequence number 1
                "00000002",  // acknowledgment number 2
                "00 10 03e8", // data offset (filled below), flags ACK; window 1000
                "0000 0000"), 0, header, 0, 20);
        header[12] = (byte) ((5 + options.length / 4) << 4);
        System.arraycopy(options, 0, header, 20, options.length);
        return header;
    }

    /**
     * The Internet checksum written out the long way, independent of {@link Checksum}: add every
     * big-endian 16-bit word of the bytes (an odd last byte padded with zero) as a plain integer,
     * fold the carries back in, complement.
     */
    static int naiveChecksum(byte[]... pieces) {
        int total = 0;
        for (byte[] piece : pieces) {
            total += piece.length;
        }
        byte[] all = new byte[total + 1];
        int at = 0;
        for (byte[] piece : pieces) {
            System.arraycopy(piece, 0, all, at, piece.length);
            at += piece.length;
        }
        long sum = 0;
        for (int i = 0; i < total; i += 2) {
            sum += ((all[i] & 0xff) << 8) | (all[i + 1] & 0xff);
        }
        while (sum > 0xffff) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** The IPv4 pseudo-header bytes: source, destination, zero, protocol 6, TCP length. */
    static byte[] ipv4PseudoHeader(int source, int destination, int tcpLength) {
        return new byte[] {
            (byte) (source >>> 24), (byte) (source >>> 16), (byte) (source >>> 8), (byte) source,
            (byte) (destination >>> 24), (byte) (destination >>> 16), (byte) (destination >>> 8), (byte) destination,
            0, 6, (byte) (tcpLength >>> 8), (byte) tcpLength
        };
    }
}
