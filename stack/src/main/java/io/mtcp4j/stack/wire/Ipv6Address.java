package io.mtcp4j.stack.wire;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * An IPv6 address as the two 64-bit halves the flyweights read ({@code high} holds bytes 0-7,
 * {@code low} bytes 8-15, both in network order), with the text forms of RFC 4291 and RFC 5952
 * and the addresses neighbour discovery derives from a unicast address.
 *
 * <p>The static methods take the halves directly so that per-packet code can classify an address
 * without creating a record; the record is for configuration, tests and printing.
 */
public record Ipv6Address(long high, long low) {
    /** {@code ::}, the unspecified address (RFC 4291 2.5.2), the source of a duplicate address probe. */
    public static final Ipv6Address UNSPECIFIED = new Ipv6Address(0, 0);
    /** {@code ::1}, the loopback address (RFC 4291 2.5.3). */
    public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);
    /** {@code ff02::1}, all nodes on the link (RFC 4291 2.7.1). */
    public static final Ipv6Address ALL_NODES = new Ipv6Address(0xff02_0000_0000_0000L, 1);
    /** {@code ff02::2}, all routers on the link (RFC 4291 2.7.1). */
    public static final Ipv6Address ALL_ROUTERS = new Ipv6Address(0xff02_0000_0000_0000L, 2);

    /** Bytes in an address. */
    public static final int LENGTH_BYTES = 16;
    /** Where {@code low} starts in the 16 bytes. */
    private static final int LOW_HALF_OFFSET = 8;

    // ff02:0:0:0:0:1:ff00::/104 (RFC 4291 2.7.1): the solicited-node prefix; the low 24 bits come from the unicast address.
    private static final long SOLICITED_NODE_HIGH = 0xff02_0000_0000_0000L;
    private static final long SOLICITED_NODE_LOW_PREFIX = 0x0000_0001_ff00_0000L;
    private static final long LOW_24_BITS = 0xff_ffffL;
    // 33:33 followed by the low 32 bits of the multicast group (RFC 2464 7).
    private static final long MULTICAST_MAC_PREFIX = 0x3333_0000_0000L;
    // ::ffff:0:0/96 (RFC 4291 2.5.5.2), which RFC 5952 5 prints with a dotted IPv4 tail.
    private static final long IPV4_MAPPED_LOW_PREFIX = 0x0000_ffff_0000_0000L;

    /** Reads the 16 bytes at {@code offset}. */
    public static Ipv6Address readFrom(MemorySegment segment, long offset) {
        return new Ipv6Address(highAt(segment, offset), lowAt(segment, offset));
    }

    /** Writes the 16 bytes at {@code offset}; returns {@link #LENGTH_BYTES}. */
    public int writeTo(MemorySegment segment, long offset) {
        return writeAt(segment, offset, high, low);
    }

    /** Bytes 0-7 of the address at {@code offset}, read without creating a record (for flyweights). */
    public static long highAt(MemorySegment segment, long offset) {
        return NetworkOrder.u64(segment, offset);
    }

    /** Bytes 8-15 of the address at {@code offset}, read without creating a record (for flyweights). */
    public static long lowAt(MemorySegment segment, long offset) {
        return NetworkOrder.u64(segment, offset + LOW_HALF_OFFSET);
    }

    /** Writes the address of these halves at {@code offset} without creating a record; returns {@link #LENGTH_BYTES}. */
    public static int writeAt(MemorySegment segment, long offset, long high, long low) {
        NetworkOrder.u64(segment, offset, high);
        NetworkOrder.u64(segment, offset + LOW_HALF_OFFSET, low);
        return LENGTH_BYTES;
    }

    /** The 16 bytes in network order. */
    public byte[] toBytes() {
        byte[] bytes = new byte[LENGTH_BYTES];
        writeTo(MemorySegment.ofArray(bytes), 0);
        return bytes;
    }

    /** The address of 16 bytes in network order. */
    public static Ipv6Address ofBytes(byte[] bytes) {
        if (bytes.length != LENGTH_BYTES) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + bytes.length);
        }
        return readFrom(MemorySegment.ofArray(bytes), 0);
    }

    /** Whether the address is in {@code ff00::/8}. */
    public static boolean isMulticast(long high) {
        return (high >>> 56) == 0xff;
    }

    /** Whether the address is a link-local unicast address, {@code fe80::/10} (RFC 4291 2.5.6). */
    public static boolean isLinkLocal(long high) {
        return (high >>> 54) == (0xfe80L >>> 6);
    }

    public static boolean isUnspecified(long high, long low) {
        return high == 0 && low == 0;
    }

    public boolean isMulticast() {
        return isMulticast(high);
    }

    public boolean isLinkLocal() {
        return isLinkLocal(high);
    }

    public boolean isUnspecified() {
        return isUnspecified(high, low);
    }

    /** High half of the solicited-node multicast address of any unicast address (it does not depend on it). */
    public static long solicitedNodeHigh() {
        return SOLICITED_NODE_HIGH;
    }

    /**
     * Low half of the solicited-node multicast address {@code ff02::1:ffXX:XXXX} of a unicast
     * address whose low half is {@code unicastLow}: the last 24 bits are the unicast address's
     * (RFC 4291 2.7.1), so one group collects the addresses that differ only in their prefix.
     */
    public static long solicitedNodeLow(long unicastLow) {
        return SOLICITED_NODE_LOW_PREFIX | (unicastLow & LOW_24_BITS);
    }

    /** The solicited-node multicast address a neighbour solicitation for this address is sent to. */
    public Ipv6Address solicitedNode() {
        return new Ipv6Address(SOLICITED_NODE_HIGH, solicitedNodeLow(low));
    }

    /**
     * The Ethernet destination of a multicast address whose low half is {@code multicastLow}:
     * {@code 33:33} and the address's last 32 bits (RFC 2464 7), as the low 48 bits of a long.
     */
    public static long multicastMac(long multicastLow) {
        return MULTICAST_MAC_PREFIX | (multicastLow & 0xffff_ffffL);
    }

    /** The Ethernet destination of this multicast address (RFC 2464 7). */
    public long multicastMac() {
        return multicastMac(low);
    }

    /** RFC 5952 text of the address with these halves. */
    public static String format(long high, long low) {
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        boolean ipv4Mapped = high == 0 && (low & 0xffff_ffff_0000_0000L) == IPV4_MAPPED_LOW_PREFIX;
        int hexGroups = ipv4Mapped ? 6 : 8;

        // RFC 5952 4.2: shorten the longest run of two or more zero groups, the first one on a tie;
        // a single zero group stays "0" (4.2.2).
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < hexGroups; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < hexGroups && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }

        StringBuilder text = new StringBuilder(45);
        for (int i = 0; i < hexGroups; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            // RFC 5952 4.1 and 4.3: no leading zeros, lower case.
            text.append(Integer.toHexString(groups[i]));
        }
        if (ipv4Mapped) {
            if (text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(groups[6] >>> 8).append('.').append(groups[6] & 0xff).append('.')
                    .append(groups[7] >>> 8).append('.').append(groups[7] & 0xff);
        }
        return text.toString();
    }

    /** RFC 5952 text: lower case, no leading zeros, the longest zero run as {@code ::}. */
    @Override
    public String toString() {
        return format(high, low);
    }

    /**
     * Parses any RFC 4291 2.2 text form: eight hexadecimal groups, one {@code ::} standing for one
     * or more zero groups, and an optional dotted IPv4 tail for the last 32 bits. Zone suffixes
     * ({@code %eth0}) and prefix lengths are not addresses and are rejected.
     *
     * @throws IllegalArgumentException naming the text when it is not an IPv6 address
     */
    public static Ipv6Address parse(String text) {
        int[] groups = new int[8];
        int count = 0;
        int compressAt = -1;
        int length = text.length();
        int i = 0;
        if (text.startsWith("::")) {
            compressAt = 0;
            i = 2;
        } else if (text.startsWith(":")) {
            throw bad(text, "a single leading colon");
        }
        while (i < length) {
            int end = i;
            while (end < length && text.charAt(end) != ':') {
                end++;
            }
            String piece = text.substring(i, end);
            if (piece.indexOf('.') >= 0) {
                if (end != length) {
                    throw bad(text, "a dotted IPv4 part before the end");
                }
                if (count > 6) {
                    throw bad(text, "too many groups");
                }
                int ipv4 = parseDottedQuad(text, piece);
                groups[count++] = ipv4 >>> 16;
                groups[count++] = ipv4 & 0xffff;
                i = end;
                break;
            }
            if (count == 8) {
                throw bad(text, "more than eight groups");
            }
            groups[count++] = parseGroup(text, piece);
            if (end == length) {
                i = end;
                break;
            }
            // end is at a colon: "::" marks the compression, a single colon separates groups.
            if (end + 1 < length && text.charAt(end + 1) == ':') {
                if (compressAt >= 0) {
                    throw bad(text, "more than one '::'");
                }
                compressAt = count;
                i = end + 2;
            } else if (end + 1 == length) {
                throw bad(text, "a single trailing colon");
            } else {
                i = end + 1;
            }
        }
        if (compressAt >= 0) {
            if (count == 8) {
                throw bad(text, "'::' with eight groups besides");
            }
            int zeros = 8 - count;
            System.arraycopy(groups, compressAt, groups, compressAt + zeros, count - compressAt);
            Arrays.fill(groups, compressAt, compressAt + zeros, 0);
        } else if (count != 8) {
            throw bad(text, "fewer than eight groups and no '::'");
        }
        long high = 0;
        long low = 0;
        for (int g = 0; g < 4; g++) {
            high = (high << 16) | groups[g];
            low = (low << 16) | groups[g + 4];
        }
        return new Ipv6Address(high, low);
    }

    private static int parseGroup(String text, String piece) {
        if (piece.isEmpty() || piece.length() > 4) {
            throw bad(text, "a group of " + piece.length() + " hexadecimal digits");
        }
        int value = 0;
        for (int i = 0; i < piece.length(); i++) {
            int digit = Character.digit(piece.charAt(i), 16);
            if (digit < 0) {
                throw bad(text, "'" + piece.charAt(i) + "' in a group");
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    private static int parseDottedQuad(String text, String piece) {
        String[] parts = piece.split("\\.", -1);
        if (parts.length != 4) {
            throw bad(text, "an IPv4 part without four numbers");
        }
        int value = 0;
        for (String part : parts) {
            // Decimal only, at most three digits, no leading zeros that other parsers read as octal.
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                throw bad(text, "an IPv4 number '" + part + "'");
            }
            int number = 0;
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c < '0' || c > '9') {
                    throw bad(text, "an IPv4 number '" + part + "'");
                }
                number = number * 10 + (c - '0');
            }
            if (number > 255) {
                throw bad(text, "an IPv4 number above 255");
            }
            value = (value << 8) | number;
        }
        return value;
    }

    private static IllegalArgumentException bad(String text, String problem) {
        return new IllegalArgumentException("not an IPv6 address: '" + text + "' (" + problem + ")");
    }
}
