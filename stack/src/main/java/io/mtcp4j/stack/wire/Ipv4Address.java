package io.mtcp4j.stack.wire;

/**
 * IPv4 addresses held as the raw 32 bits of an {@code int}, the first byte on the wire in bits
 * 31-24, the way the flyweights read them: comparing and hashing them allocates nothing.
 *
 * <p>Text is the dotted quad {@code 192.168.0.1}. Parsing accepts exactly four decimal parts
 * without leading zeros, because {@code inet_aton} reads {@code 010} as octal 8 and a configuration
 * value that means different things to different tools is better refused.
 */
public final class Ipv4Address {
    /** Bytes in an address. */
    public static final int LENGTH_BYTES = 4;
    /** {@code 0.0.0.0}: "this host" (RFC 1122 3.2.1.3), the sender address of an ARP probe. */
    public static final int ANY = 0;
    /** {@code 255.255.255.255}: the limited broadcast address (RFC 919). */
    public static final int LIMITED_BROADCAST = 0xffff_ffff;

    private static final String TEXT_FORM = "four decimal numbers 0-255 separated by dots, like 10.10.0.1";

    private Ipv4Address() {}

    /** The address {@code a.b.c.d}; each part is taken modulo 256. */
    public static int of(int a, int b, int c, int d) {
        return (a & 0xff) << 24 | (b & 0xff) << 16 | (c & 0xff) << 8 | (d & 0xff);
    }

    /** Whether the address is in {@code 224.0.0.0/4} (RFC 5771). */
    public static boolean isMulticast(int address) {
        return (address >>> 28) == 0xe;
    }

    /** Whether the address is in {@code 127.0.0.0/8} (RFC 1122 3.2.1.3). */
    public static boolean isLoopback(int address) {
        return (address >>> 24) == 127;
    }

    /** The dotted quad. */
    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    /**
     * Parses a dotted quad.
     *
     * @throws IllegalArgumentException if {@code text} is not four decimal numbers 0-255, without
     *     leading zeros, separated by dots
     */
    public static int parse(String text) {
        int address = 0;
        int position = 0;
        for (int part = 0; part < LENGTH_BYTES; part++) {
            if (part > 0) {
                if (position >= text.length() || text.charAt(position) != '.') {
                    throw notAnAddress(text);
                }
                position++;
            }
            int start = position;
            int value = 0;
            while (position < text.length() && position - start < 3 && isDecimalDigit(text.charAt(position))) {
                value = value * 10 + (text.charAt(position) - '0');
                position++;
            }
            int digits = position - start;
            boolean leadingZero = digits > 1 && text.charAt(start) == '0';
            if (digits == 0 || leadingZero || value > 255) {
                throw notAnAddress(text);
            }
            address = address << 8 | value;
        }
        if (position != text.length()) {
            throw notAnAddress(text);
        }
        return address;
    }

    private static boolean isDecimalDigit(char c) {
        // Not Character.isDigit, which also accepts digits of other scripts.
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException notAnAddress(String text) {
        return new IllegalArgumentException("not an IPv4 address: \"" + text + "\"; expected " + TEXT_FORM);
    }
}
