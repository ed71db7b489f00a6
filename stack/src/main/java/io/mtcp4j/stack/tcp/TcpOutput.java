package io.mtcp4j.stack.tcp;

/**
 * Where a control block's segments go. The engine's implementation builds the frame (link, IP and
 * TCP headers, the payload copied from the send ring) into its transmit batch; tests record the
 * segments to compare them with what the RFC says must be sent.
 */
@FunctionalInterface
public interface TcpOutput {
    /**
     * Sends one segment. The descriptor is reused for the next segment as soon as this returns, so
     * an implementation copies what it keeps.
     *
     * @return false when there is no room now (a full transmit batch); the connection then keeps
     *         the segment due and offers it again on its next {@link TcpConnection#transmit}
     */
    boolean transmit(TcpConnection connection, OutgoingSegment segment);
}
