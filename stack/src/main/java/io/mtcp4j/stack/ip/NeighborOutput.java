package io.mtcp4j.stack.ip;

import java.lang.foreign.MemorySegment;

/**
 * Where a {@link NeighborCache} sends what it decides to send. The engine's implementation builds
 * solicitations with {@link IpControl#writeArpRequest} / {@link IpControl#writeNeighborSolicitation}
 * into its transmit batch and copies released frames into it; tests record the calls.
 *
 * <p>The cache calls these in the middle of its own bookkeeping (walking its table, draining a
 * queue), so an implementation must not call back into the cache that called it; it writes or
 * copies the frame into the transmit batch and returns.
 *
 * <p>Addresses are two 64-bit halves, an IPv4 address in the low 32 bits of {@code low} with
 * {@code high} zero (the convention of {@link io.mtcp4j.stack.tcp.TcpEndpoints}).
 */
public interface NeighborOutput {
    /**
     * Sends a solicitation for {@code target}: an ARP request, or a neighbour solicitation.
     *
     * @param unicastMac {@link NeighborCache#NO_MAC} for a resolution (to the broadcast address, or
     *                   the target's solicited-node multicast group); the cached address for a
     *                   reachability probe of an entry in PROBE (RFC 4861 7.3.3)
     */
    void solicit(long targetHigh, long targetLow, long unicastMac);

    /**
     * Sends a frame that waited for resolution; its Ethernet destination is already written. The
     * bytes are valid only during the call (the buffer is reused), so an implementation copies them.
     */
    void transmit(MemorySegment frame, long offset, int length);

    /**
     * A resolution or a reachability probe failed; {@code droppedFrames} held frames were dropped
     * and counted. The engine may report the next hop unreachable to its flows (a soft error,
     * RFC 1122 4.2.3.9). The default does nothing.
     */
    default void resolutionFailed(long targetHigh, long targetLow, int droppedFrames) {
    }
}
