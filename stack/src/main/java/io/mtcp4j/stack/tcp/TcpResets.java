package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_ACK;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_FIN;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_RST;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_SYN;

import io.mtcp4j.stack.wire.TcpFlyweight;

/** Resets for segments that reach no connection. */
public final class TcpResets {
    private TcpResets() {}

    /**
     * The reply to a segment for a port with no connection and no listener (RFC 9293 3.10.7.1,
     * CLOSED): nothing for a RST; {@code <SEQ=SEG.ACK><CTL=RST>} for a segment with ACK; otherwise
     * {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}. Also the reply of a listener to a segment
     * carrying ACK (RFC 9293 3.10.7.2).
     *
     * @return false when no reset may be sent (the segment was itself a reset); otherwise
     *         {@code reply} holds the reset's fields
     */
    public static boolean replyToClosedPort(TcpFlyweight segment, OutgoingSegment reply) {
        int flags = segment.flags();
        if ((flags & FLAG_RST) != 0) {
            return false;
        }
        if ((flags & FLAG_ACK) != 0) {
            reply.reset(segment.acknowledgmentNumber(), 0, FLAG_RST, 0);
        } else {
            int length = (int) segment.payloadLength() + ((flags & FLAG_SYN) != 0 ? 1 : 0) + ((flags & FLAG_FIN) != 0 ? 1 : 0);
            reply.reset(0, segment.sequenceNumber() + length, FLAG_RST | FLAG_ACK, 0);
        }
        return true;
    }
}
