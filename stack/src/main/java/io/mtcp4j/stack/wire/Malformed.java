package io.mtcp4j.stack.wire;

/**
 * Why a checked wrap rejected an ingress frame.
 *
 * <p>Every flyweight's {@code wrap(segment, offset, available)} returns one of these instead of
 * throwing: {@link #NONE} when the header is well formed, otherwise the first problem found. The
 * engine counts drops in an array indexed by {@link #ordinal()}, so the constants are stable names
 * for counters ({@code mtcp4j stat} prints {@link #counterName()}).
 *
 * <p>Constants are grouped by the protocol whose wrap reports them; add a new reason at the end of
 * its group.
 */
public enum Malformed {
    /** Well formed: nothing to drop. */
    NONE,

    // Ethernet II
    /** Fewer than 14 bytes (or 18 with an 802.1Q tag) for the Ethernet header. */
    ETHERNET_TRUNCATED,
    /** An EtherType/length field below 0x0600: an IEEE 802.3 length frame, not Ethernet II. */
    ETHERNET_NOT_ETHERNET_II,

    // ARP (IPv4 over Ethernet)
    /** Fewer than 28 bytes for an Ethernet/IPv4 ARP packet. */
    ARP_TRUNCATED,
    /** Hardware type is not Ethernet (1) or its address length is not 6. */
    ARP_UNSUPPORTED_HARDWARE,
    /** Protocol type is not IPv4 (0x0800) or its address length is not 4. */
    ARP_UNSUPPORTED_PROTOCOL,
    /** Operation is neither request (1) nor reply (2). */
    ARP_UNSUPPORTED_OPERATION,

    // IPv4
    /** Fewer than 20 bytes, or fewer than the header length field says. */
    IPV4_TRUNCATED,
    /** Version field is not 4. */
    IPV4_BAD_VERSION,
    /** Internet header length below 5 words. */
    IPV4_BAD_HEADER_LENGTH,
    /** Total length smaller than the header length. */
    IPV4_TOTAL_LENGTH_TOO_SHORT,
    /** Total length larger than the bytes the frame holds. */
    IPV4_TOTAL_LENGTH_EXCEEDS_FRAME,
    /** Header checksum does not verify. */
    IPV4_BAD_CHECKSUM,

    // ICMPv4
    /** Fewer than 8 bytes for the ICMP header. */
    ICMPV4_TRUNCATED,
    /** ICMP checksum does not verify. */
    ICMPV4_BAD_CHECKSUM,

    // IPv6
    /** Fewer than 40 bytes for the fixed header. */
    IPV6_TRUNCATED,
    /** Version field is not 6. */
    IPV6_BAD_VERSION,
    /** Payload length larger than the bytes the frame holds. */
    IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME,
    /** An extension header runs past the payload. */
    IPV6_EXTENSION_TRUNCATED,
    /** More extension headers than the parser follows (a bound against hostile chains). */
    IPV6_TOO_MANY_EXTENSIONS,

    // ICMPv6
    /** Fewer bytes than the ICMPv6 message type needs. */
    ICMPV6_TRUNCATED,
    /** An ICMPv6 option with length 0 or running past the message end. */
    ICMPV6_BAD_OPTION,
    /** ICMPv6 checksum does not verify. */
    ICMPV6_BAD_CHECKSUM,

    // TCP
    /** Fewer than 20 bytes, or fewer than the data offset says. */
    TCP_TRUNCATED,
    /** Data offset below 5 words. */
    TCP_BAD_DATA_OFFSET,
    /** An option whose length byte is 0 or 1. */
    TCP_OPTION_BAD_LENGTH,
    /** An option (or its length byte) running past the end of the header. */
    TCP_OPTION_PAST_HEADER,
    /** A known option (MSS, window scale, SACK-permitted, SACK, timestamps) with the wrong length. */
    TCP_OPTION_WRONG_SIZE,
    /** TCP checksum does not verify. */
    TCP_BAD_CHECKSUM,

    // Frame parser
    /** A network or transport protocol the stack does not handle (counted, not an error of the frame). */
    UNSUPPORTED_PROTOCOL,
    /** An IP fragment: TCP never needs them with MSS clamping, so they are counted and dropped. */
    IP_FRAGMENT;

    private static final Malformed[] VALUES = values();

    /** Number of reasons, for sizing counter arrays indexed by {@link #ordinal()}. */
    public static int count() {
        return VALUES.length;
    }

    /** The reason with this ordinal; for reading counter arrays back. */
    public static Malformed ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** Counter name as printed by diagnostics: lower case with dashes, for example {@code tcp-bad-checksum}. */
    public String counterName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
