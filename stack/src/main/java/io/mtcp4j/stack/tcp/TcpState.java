package io.mtcp4j.stack.tcp;

/** The connection states of RFC 9293 section 3.3.2. */
public enum TcpState {
    /** No connection: before open, or after the connection is gone. */
    CLOSED,
    /** Waiting for a connection request (held by {@link TcpListener}, never by a connection). */
    LISTEN,
    /** Our SYN sent, waiting for a matching SYN. */
    SYN_SENT,
    /** SYN received and SYN-ACK sent, waiting for the ACK of our SYN. */
    SYN_RECEIVED,
    /** Open: data flows both ways. */
    ESTABLISHED,
    /** We sent FIN; waiting for its ACK or the peer's FIN. */
    FIN_WAIT_1,
    /** Our FIN acknowledged; waiting for the peer's FIN. */
    FIN_WAIT_2,
    /** The peer sent FIN; waiting for the application to close. */
    CLOSE_WAIT,
    /** Both sent FIN at once (simultaneous close); waiting for the ACK of ours. */
    CLOSING,
    /** The peer closed first, then we did; waiting for the ACK of our FIN. */
    LAST_ACK,
    /** Both FINs acknowledged; waiting 2 MSL so that old duplicates die out. */
    TIME_WAIT;

    /** Whether the handshake has completed (RFC 9293's "synchronized" states). */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /** Whether the application may still queue data to send (our FIN not yet queued). */
    public boolean canSend() {
        return this == ESTABLISHED || this == CLOSE_WAIT;
    }

    /** Whether data from the peer can still arrive (its FIN not yet received). */
    public boolean canReceive() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }
}
