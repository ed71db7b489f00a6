package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.mtcp4j.stack.api.Readiness;
import io.mtcp4j.stack.api.Stack;
import io.mtcp4j.stack.api.StackServerSocket;
import io.mtcp4j.stack.api.StackSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;

/** Blocking helpers over the stack's non-blocking socket API, as the provider's blocking channels will work. */
final class StackIo {
    static final long WAIT_SECONDS = 30;

    private StackIo() {}

    static StackSocket connect(Stack stack, InetSocketAddress remote) throws IOException {
        StackSocket socket = stack.openSocket();
        socket.connect(remote);
        while (!socket.finishConnect()) {
            assertNotEquals(0, socket.awaitReady(Readiness.CONNECT, WAIT_SECONDS, TimeUnit.SECONDS),
                    "no connect completion within 30 s: " + socket);
        }
        return socket;
    }

    /** The next accepted connection; null when the listener was closed. */
    static StackSocket accept(StackServerSocket listener) throws IOException {
        StackSocket socket;
        while ((socket = listener.accept()) == null) {
            if (listener.awaitReady(Readiness.ACCEPT, WAIT_SECONDS, TimeUnit.SECONDS) == 0 && !listener.isOpen()) {
                return null;
            }
        }
        return socket;
    }

    static void writeFully(StackSocket socket, ByteBuffer source) throws IOException {
        while (source.hasRemaining()) {
            if (socket.write(source) == 0) {
                assertNotEquals(0, socket.awaitReady(Readiness.WRITE, WAIT_SECONDS, TimeUnit.SECONDS),
                        "no room to write for 30 s: " + socket);
            }
        }
    }

    /** Reads until {@code target} is full or end of stream; returns the bytes read. */
    static int readFully(StackSocket socket, ByteBuffer target) throws IOException {
        int total = 0;
        while (target.hasRemaining()) {
            int n = socket.read(target);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                assertNotEquals(0, socket.awaitReady(Readiness.READ, WAIT_SECONDS, TimeUnit.SECONDS),
                        "nothing to read for 30 s: " + socket);
            }
            total += n;
        }
        return total;
    }

    /** Reads to end of stream; -1 if more than {@code limit} bytes came. */
    static int readToEnd(StackSocket socket, ByteBuffer target) throws IOException {
        int total = readFully(socket, target);
        if (!target.hasRemaining()) {
            ByteBuffer probe = ByteBuffer.allocate(1);
            while (true) {
                int n = socket.read(probe);
                if (n < 0) {
                    return total;
                }
                if (n > 0) {
                    return -1;
                }
                assertNotEquals(0, socket.awaitReady(Readiness.READ, WAIT_SECONDS, TimeUnit.SECONDS),
                        "no end of stream within 30 s: " + socket);
            }
        }
        return total;
    }

    static byte[] sha256(byte[] data, int offset, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(data, offset, length);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
