package io.mtcp4j.stack.tcp;

/** Why a connection failed; the provider turns each into the exception the JDK throws. */
public enum TcpError {
    /** No failure. */
    NONE,
    /** RST in answer to our SYN ("Connection refused"). */
    CONNECTION_REFUSED,
    /** RST on an open connection ("Connection reset"). */
    CONNECTION_RESET,
    /** Retransmissions or keepalive probes went unanswered ("Connection timed out"). */
    TIMED_OUT,
    /** This side aborted the connection (SO_LINGER 0, or close with unread data). */
    ABORTED,
    /** ICMP host unreachable (or prohibited) for our SYN, or as the soft error behind a timeout ("No route to host"). */
    HOST_UNREACHABLE,
    /** ICMP network unreachable for our SYN, or as the soft error behind a timeout ("Network is unreachable"). */
    NETWORK_UNREACHABLE
}
