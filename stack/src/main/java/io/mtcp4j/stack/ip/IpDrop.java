package io.mtcp4j.stack.ip;

/**
 * Why the IP control plane dropped or ignored a frame, beyond the wire-format reasons of
 * {@link io.mtcp4j.stack.wire.Malformed}: a well-formed frame that this host does not act on, or
 * a frame it meant to send and could not.
 *
 * <p>Components count these in a {@link DropCounters} indexed by {@link #ordinal()}; the engine
 * sums them into its per-engine counters. Constants are grouped by the component that reports
 * them; add a new reason at the end of its group.
 */
public enum IpDrop {
    /** Nothing dropped. */
    NONE,

    // Neighbour cache (ARP and neighbour discovery)
    /** A held frame whose next hop never answered: the solicitations ran out (RFC 4861 7.3.3, RFC 1122 2.3.2.2). */
    NEIGHBOR_RESOLUTION_FAILED,
    /** A held frame pushed out by a newer one for the same next hop (the per-destination queue holds the newest few). */
    NEIGHBOR_PENDING_OVERFLOW,
    /** A frame that could not be held because every pending-frame buffer was in use. */
    NEIGHBOR_PENDING_POOL_EMPTY,
    /** A frame longer than a pending-frame buffer (an engine sending above the configured frame size). */
    NEIGHBOR_FRAME_TOO_LONG,
    /** No entry could be made for a next hop: the table is full of entries still resolving. */
    NEIGHBOR_TABLE_FULL,

    // ARP
    /** A request for an address that is not ours (normal on a shared link: counted, not answered). */
    ARP_NOT_FOR_US,
    /** A sender hardware address that is a group address, or a sender protocol address that is broadcast or multicast. */
    ARP_BAD_SENDER,
    /** Another station claims one of our addresses (RFC 5227 2.4); not cached, not answered. */
    ARP_ADDRESS_CONFLICT,
    /** Our own ARP packet came back to us (a looping or reflecting link). */
    ARP_OWN_FRAME,

    // Neighbour discovery
    /** A neighbour message failing RFC 4861 7.1.1/7.1.2 validation (hop limit not 255, code not 0, multicast target, ...). */
    ND_INVALID,
    /** A solicitation for a target address that is not ours. */
    ND_NOT_FOR_US,
    /** An advertisement for one of our own addresses from another node: a duplicate address. */
    ND_ADDRESS_CONFLICT,
    /** Router solicitations and advertisements, redirects: this host takes its routes from configuration. */
    ND_ROUTER_MESSAGE_IGNORED,

    // ICMP and ICMPv6
    /** An echo request to a broadcast or multicast address (RFC 1122 3.2.2.6 allows ignoring it). */
    ICMP_ECHO_NOT_UNICAST,
    /** An echo request to an address that is not ours. */
    ICMP_NOT_FOR_US,
    /** A source address no reply can go to: unspecified, broadcast or multicast (RFC 1122 3.2.1.3). */
    ICMP_BAD_SOURCE,
    /** A message type this host does not act on: echo replies, timestamps, source quench (RFC 6633), redirects. */
    ICMP_IGNORED_TYPE,
    /** An error message whose quoted datagram is too short or malformed to name a TCP flow. */
    ICMP_ERROR_QUOTE_MALFORMED,
    /** An error message about a datagram that was not TCP (or a non-first fragment of one). */
    ICMP_ERROR_NOT_TCP,

    // Egress
    /** No address on the interface to send from (an ARP request or solicitation before any address is configured). */
    NO_SOURCE_ADDRESS,
    /** A reply (ARP, neighbour advertisement, echo) would not fit the buffer the engine offered. */
    REPLY_DOES_NOT_FIT;

    private static final IpDrop[] VALUES = values();

    /** Number of reasons, for sizing counter arrays indexed by {@link #ordinal()}. */
    public static int count() {
        return VALUES.length;
    }

    /** The reason with this ordinal; for reading counter arrays back. */
    public static IpDrop ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** Counter name as printed by diagnostics: lower case with dashes, for example {@code arp-not-for-us}. */
    public String counterName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
