package io.mtcp4j.stack.device;

import java.util.Arrays;

/**
 * The Toeplitz hash that network cards compute for receive-side scaling (Microsoft's RSS
 * specification, "Verifying the RSS Hash Calculation"), over IPv4 and IPv6 address pairs and
 * TCP port pairs in the specification's input order: source address, destination address, source
 * port, destination port, all in network byte order.
 *
 * <p>The hash is the XOR, over every set input bit {@code k} (most significant bit of the first
 * byte is bit 0), of the 32 key bits starting at key bit {@code k}. That is linear in the input,
 * so it is computed a byte at a time from a table built once per key: entry {@code [p][v]} is
 * the contribution of byte value {@code v} at input position {@code p}. No allocation per hash.
 *
 * <p>{@link #symmetricKey()} is the key of Woo and Park ("Scalable TCP Session Monitoring with
 * Symmetric Receive-side Scaling", KAIST 2012, the key mTCP programs into NICs): {@code 0x6d5a}
 * repeated. A key whose bit pattern repeats every 16 bits gives the same window at input bits
 * {@code k} and {@code k + 16j}; the source and destination addresses are 32 (or 128) bits apart
 * and the ports 16, so swapping source and destination leaves the hash unchanged and both
 * directions of a connection land on the same queue.
 */
public final class ToeplitzHash {
    /** The longest input: two IPv6 addresses and two ports. */
    public static final int MAXIMUM_INPUT_BYTES = 36;
    /** Key bytes needed for the longest input: one 32-bit window past its last bit. */
    public static final int KEY_BYTES = MAXIMUM_INPUT_BYTES + 4;

    private static final int BYTE_VALUES = 256;

    /** Contribution of each byte value at each input position: {@code [position * 256 + value]}. */
    private final int[] table = new int[MAXIMUM_INPUT_BYTES * BYTE_VALUES];

    /** A hash with {@code key}, at least {@value #KEY_BYTES} bytes (only the first 40 are used). */
    public ToeplitzHash(byte[] key) {
        if (key.length < KEY_BYTES) {
            throw new IllegalArgumentException("a Toeplitz key needs at least " + KEY_BYTES + " bytes: " + key.length);
        }
        for (int position = 0; position < MAXIMUM_INPUT_BYTES; position++) {
            // The 40 key bits from this byte on hold every 32-bit window its eight bits select.
            long keyBits = 0;
            for (int j = 0; j < 5; j++) {
                keyBits = (keyBits << 8) | (key[position + j] & 0xff);
            }
            for (int value = 0; value < BYTE_VALUES; value++) {
                int contribution = 0;
                for (int bit = 0; bit < 8; bit++) {
                    if ((value & (0x80 >>> bit)) != 0) {
                        contribution ^= (int) (keyBits >>> (8 - bit));
                    }
                }
                table[position * BYTE_VALUES + value] = contribution;
            }
        }
    }

    /** {@code 0x6d5a} repeated to {@value #KEY_BYTES} bytes: a symmetric key (see the class comment). */
    public static byte[] symmetricKey() {
        byte[] key = new byte[KEY_BYTES];
        for (int i = 0; i < key.length; i += 2) {
            key[i] = 0x6d;
            key[i + 1] = 0x5a;
        }
        return key;
    }

    /** The key of Microsoft's RSS verification tables (and many drivers' default); not symmetric. */
    public static byte[] microsoftKey() {
        return new byte[] {
            0x6d, 0x5a, 0x56, (byte) 0xda, 0x25, 0x5b, 0x0e, (byte) 0xc2,
            0x41, 0x67, 0x25, 0x3d, 0x43, (byte) 0xa3, (byte) 0x8f, (byte) 0xb0,
            (byte) 0xd0, (byte) 0xca, 0x2b, (byte) 0xcb, (byte) 0xae, 0x7b, 0x30, (byte) 0xb4,
            0x77, (byte) 0xcb, 0x2d, (byte) 0xa3, (byte) 0x80, 0x30, (byte) 0xf2, 0x0c,
            0x6a, 0x42, (byte) 0xb7, 0x3b, (byte) 0xbe, (byte) 0xac, 0x01, (byte) 0xfa,
        };
    }

    /** The hash of an IPv4 address pair (the "IPv4 only" hash type). */
    public int ipv4(int sourceAddress, int destinationAddress) {
        return word32(0, sourceAddress) ^ word32(4, destinationAddress);
    }

    /** The hash of an IPv4 TCP connection's 4-tuple. Ports are 0 to 65535. */
    public int ipv4(int sourceAddress, int destinationAddress, int sourcePort, int destinationPort) {
        return ipv4(sourceAddress, destinationAddress) ^ word16(8, sourcePort) ^ word16(10, destinationPort);
    }

    /** The hash of an IPv6 address pair, each address as its high and low 64 bits. */
    public int ipv6(long sourceHigh, long sourceLow, long destinationHigh, long destinationLow) {
        return word64(0, sourceHigh) ^ word64(8, sourceLow) ^ word64(16, destinationHigh) ^ word64(24, destinationLow);
    }

    /** The hash of an IPv6 TCP connection's 4-tuple. */
    public int ipv6(long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
                    int sourcePort, int destinationPort) {
        return ipv6(sourceHigh, sourceLow, destinationHigh, destinationLow)
                ^ word16(32, sourcePort) ^ word16(34, destinationPort);
    }

    private int word16(int position, int value) {
        int base = position * BYTE_VALUES;
        return table[base + ((value >>> 8) & 0xff)] ^ table[base + BYTE_VALUES + (value & 0xff)];
    }

    private int word32(int position, int value) {
        return word16(position, value >>> 16) ^ word16(position + 2, value);
    }

    private int word64(int position, long value) {
        return word32(position, (int) (value >>> 32)) ^ word32(position + 4, (int) value);
    }

    @Override
    public String toString() {
        return "ToeplitzHash[" + Integer.toHexString(Arrays.hashCode(table)) + "]";
    }
}
