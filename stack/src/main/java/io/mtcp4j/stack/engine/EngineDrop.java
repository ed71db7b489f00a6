package io.mtcp4j.stack.engine;

import java.util.Locale;

/**
 * Why an engine dropped a frame or a segment, beyond the wire-format reasons of
 * {@link io.mtcp4j.stack.wire.Malformed} (counted separately) and the IP control plane's
 * {@link io.mtcp4j.stack.ip.IpDrop}. Add new reasons at the end of their group.
 */
public enum EngineDrop {
    NONE,

    // Ingress
    /** An Ethernet destination that is neither ours nor broadcast/multicast (a shared or flooding link). */
    FOREIGN_MAC,
    /** A TCP segment to an IP address that is not one of ours. */
    NOT_LOCAL_ADDRESS,
    /** A TCP segment for no connection and no listener (answered with RST unless it was one). */
    NO_LISTENER,
    /** A segment a listener refused: a stray RST or non-SYN, a SYN beyond the backlog without cookies. */
    LISTENER_REFUSED,
    /** An ICMP error about a TCP flow we do not have. */
    ICMP_ERROR_NO_FLOW,
    /** A received super-frame (large receive) or a frame with offload flags this engine does not handle. */
    UNSUPPORTED_OFFLOAD,
    /**
     * A frame for another engine of the group (a segment of a flow it owns, a copy of an ARP or
     * neighbour discovery frame) that could not be handed over: this engine's hand-off slots are
     * all in flight ({@link EngineGroup}).
     */
    HANDOFF_QUEUE_FULL,

    // Egress
    /** No route to a segment's destination. */
    NO_ROUTE,
    /** The neighbour cache could not hold a segment while its next hop resolves (see the cache's IpDrop counters). */
    NEIGHBOR_UNRESOLVED,
    /** The device lent no transmit buffer: the segment stays due (TCP) or is dropped (replies, released frames). */
    NO_TRANSMIT_BUFFER,
    /** An ICMP error whose quoted sequence number lies outside its flow's unacknowledged data (RFC 5927 4.1). */
    ICMP_ERROR_OUT_OF_WINDOW;

    private static final EngineDrop[] VALUES = values();

    public static int count() {
        return VALUES.length;
    }

    public static EngineDrop ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    /** Counter name: lower case with dashes, for example {@code no-listener}. */
    public String counterName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
