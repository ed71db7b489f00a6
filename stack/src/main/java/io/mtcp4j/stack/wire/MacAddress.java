package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;

/**
 * Ethernet MAC addresses (IEEE 802) held as the low 48 bits of a {@code long}, the first byte on
 * the wire in bits 47-40, so that per-packet code compares and copies them without allocating.
 *
 * <p>Text is the colon form {@code aa:bb:cc:dd:ee:ff} that {@code ip link} and Wireshark print.
 */
public final class MacAddress {
    /** Bytes in an address. */
    public static final int LENGTH_BYTES = 6;
    /** {@code ff:ff:ff:ff:ff:ff}: every station on the link (where ARP requests go). */
    public static final long BROADCAST = 0xffff_ffff_ffffL;
    /** {@code 00:00:00:00:00:00}: "unknown", the target hardware address of an ARP request. */
    public static final long ZERO = 0L;

    private static final long MASK_48_BITS = 0xffff_ffff_ffffL;
    // The individual/group bit is the least significant bit of the first byte on the wire.
    private static final long GROUP_BIT = 1L << 40;
    // The universal/local bit is the next bit of the first byte: set for addresses a host made up.
    private static final long LOCALLY_ADMINISTERED_BIT = 1L << 41;
    private static final String TEXT_FORM = "six two-digit hex bytes separated by colons, like 02:00:0a:0a:00:01";

    private MacAddress() {}

    /** Reads the 6 bytes at {@code offset}. */
    public static long read(MemorySegment segment, long offset) {
        return ((long) NetworkOrder.u16(segment, offset) << 32) | NetworkOrder.u32(segment, offset + 2);
    }

    /** Writes the low 48 bits of {@code address} as 6 bytes at {@code offset}. */
    public static void write(MemorySegment segment, long offset, long address) {
        NetworkOrder.u16(segment, offset, (int) (address >>> 32));
        NetworkOrder.u32(segment, offset + 2, (int) address);
    }

    /** Whether the address names a group (multicast, including broadcast) rather than one station. */
    public static boolean isMulticast(long address) {
        return (address & GROUP_BIT) != 0;
    }

    public static boolean isBroadcast(long address) {
        return (address & MASK_48_BITS) == BROADCAST;
    }

    /** Whether the address was assigned locally (a TAP device's random address) rather than by a vendor. */
    public static boolean isLocallyAdministered(long address) {
        return (address & LOCALLY_ADMINISTERED_BIT) != 0;
    }

    /** Whether {@code value} fits in 48 bits, as every address must. */
    public static boolean isValid(long value) {
        return (value & ~MASK_48_BITS) == 0;
    }

    /** The colon form, lower-case hex: {@code 02:00:0a:0a:00:01}. */
    public static String format(long address) {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int octet = (int) (address >>> shift) & 0xff;
            if (shift != 40) {
                text.append(':');
            }
            text.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xf, 16));
        }
        return text.toString();
    }

    /**
     * Parses the colon form (either case).
     *
     * @throws IllegalArgumentException if {@code text} is not six two-digit hex bytes separated by colons
     */
    public static long parse(String text) {
        if (text.length() != 17) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"; expected " + TEXT_FORM);
        }
        long address = 0;
        for (int i = 0; i < LENGTH_BYTES; i++) {
            int at = i * 3;
            int high = Character.digit(text.charAt(at), 16);
            int low = Character.digit(text.charAt(at + 1), 16);
            boolean separatorOk = i == LENGTH_BYTES - 1 || text.charAt(at + 2) == ':';
            if (high < 0 || low < 0 || !separatorOk) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"; expected " + TEXT_FORM);
            }
            address = (address << 8) | (high << 4) | low;
        }
        return address;
    }
}
