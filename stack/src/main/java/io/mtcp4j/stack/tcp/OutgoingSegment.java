package io.mtcp4j.stack.tcp;

import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpOptionsWriter;
import java.lang.foreign.MemorySegment;

/**
 * One segment a control block asks its {@link TcpOutput} to send: header fields, options, and the
 * payload as a range of the send ring (copied only by the output, straight into the frame). A
 * connection owns one descriptor and refills it per segment; nothing allocates.
 */
public final class OutgoingSegment {
    private int sequenceNumber;
    private int acknowledgmentNumber;
    private int flags;
    private int window;
    private final TcpOptionsWriter options = new TcpOptionsWriter();
    private ByteRing payloadRing;
    private long payloadStreamOffset;
    private int payloadLength;

    /** Starts a new segment: header fields set, no options, no payload. */
    public void reset(int sequenceNumber, int acknowledgmentNumber, int flags, int window) {
        this.sequenceNumber = sequenceNumber;
        this.acknowledgmentNumber = acknowledgmentNumber;
        this.flags = flags;
        this.window = window;
        options.clear();
        payloadRing = null;
        payloadStreamOffset = 0;
        payloadLength = 0;
    }

    void payload(ByteRing ring, long streamOffset, int length) {
        payloadRing = ring;
        payloadStreamOffset = streamOffset;
        payloadLength = length;
    }

    public int sequenceNumber() {
        return sequenceNumber;
    }

    public int acknowledgmentNumber() {
        return acknowledgmentNumber;
    }

    /** {@link TcpFlyweight#FLAG_SYN} and friends. */
    public int flags() {
        return flags;
    }

    /** The window field as it goes on the wire (already shifted by our window scale). */
    public int window() {
        return window;
    }

    /** The options, ready to {@link TcpOptionsWriter#writeTo} the header. */
    public TcpOptionsWriter options() {
        return options;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** Copies the payload to {@code destination} at {@code offset}. */
    public void copyPayloadTo(MemorySegment destination, long offset) {
        if (payloadLength > 0) {
            payloadRing.copyOut(payloadStreamOffset, destination, offset, payloadLength);
        }
    }

    /** Sequence space this segment occupies: payload plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payloadLength + ((flags & TcpFlyweight.FLAG_SYN) != 0 ? 1 : 0) + ((flags & TcpFlyweight.FLAG_FIN) != 0 ? 1 : 0);
    }
}
