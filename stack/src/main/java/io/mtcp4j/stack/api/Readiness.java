package io.mtcp4j.stack.api;

/**
 * Readiness bits of a {@link StackChannel}. The values are those of
 * {@link java.nio.channels.SelectionKey}'s operations, so the NIO provider passes them through.
 */
public final class Readiness {
    /** Bytes to read, end of stream, or an error a read would report. */
    public static final int READ = 1;
    /** Room in the send ring, or an error a write would report. */
    public static final int WRITE = 1 << 2;
    /** A non-blocking connect finished, well or badly: {@link StackSocket#finishConnect()} tells which. */
    public static final int CONNECT = 1 << 3;
    /** A connection waits for {@link StackServerSocket#accept()}. */
    public static final int ACCEPT = 1 << 4;

    private Readiness() {
    }

    /** The bits as text, for messages: {@code "READ|WRITE"}, or {@code "none"}. */
    public static String toString(int ops) {
        StringBuilder text = new StringBuilder();
        append(text, ops, READ, "READ");
        append(text, ops, WRITE, "WRITE");
        append(text, ops, CONNECT, "CONNECT");
        append(text, ops, ACCEPT, "ACCEPT");
        return text.isEmpty() ? "none" : text.toString();
    }

    private static void append(StringBuilder text, int ops, int bit, String name) {
        if ((ops & bit) != 0) {
            if (!text.isEmpty()) {
                text.append('|');
            }
            text.append(name);
        }
    }
}
