package io.mtcp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blocking operations ended by an interrupt (the channel closes: {@link ClosedByInterruptException},
 * the interrupt status stays set) or by a close from another thread ({@link AsynchronousCloseException}),
 * on platform and virtual threads.
 */
class InterruptCompatTest extends CompatTestBase {

    /** What a blocked call threw, and whether its thread was still interrupted. */
    private record Outcome(Throwable thrown, boolean interrupted) {
    }

    private interface Blocking {
        void run() throws Exception;
    }

    /** Starts {@code call} on a new thread (virtual or platform), lets it block, then runs {@code disturb}. */
    private static Outcome blockThen(boolean virtual, Blocking call, java.util.function.Consumer<Thread> disturb) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch starting = new CountDownLatch(1);
        Runnable body = () -> {
            starting.countDown();
            try {
                call.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
            interrupted.set(Thread.currentThread().isInterrupted());
        };
        Thread thread = virtual ? Thread.ofVirtual().start(body) : Thread.ofPlatform().start(body);
        starting.await();
        Thread.sleep(200); // time to block in the call; a slow machine only tests an earlier moment
        assertTrue(thread.isAlive(), () -> "the thread was to block but ended, throwing " + thrown.get());
        disturb.accept(thread);
        thread.join(10_000);
        assertFalse(thread.isAlive(), "the blocked call did not end");
        return new Outcome(thrown.get(), interrupted.get());
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void anInterruptedReadClosesTheChannel(boolean virtual) throws Exception {
        SocketChannel[] pair = pair();
        Outcome outcome = blockThen(virtual, () -> pair[1].read(ByteBuffer.allocate(1)), Thread::interrupt);
        assertInstanceOf(ClosedByInterruptException.class, outcome.thrown());
        assertTrue(outcome.interrupted(), "the interrupt status is kept");
        assertFalse(pair[1].isOpen());
        assertEquals(-1, pair[0].read(ByteBuffer.allocate(1)), "the peer sees the close");
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void aReadBlockedWhenAnotherThreadClosesThrowsAsynchronousClose(boolean virtual) throws Exception {
        SocketChannel[] pair = pair();
        Outcome outcome = blockThen(virtual, () -> pair[1].read(ByteBuffer.allocate(1)), thread -> {
            try {
                pair[1].close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(AsynchronousCloseException.class, outcome.thrown().getClass());
        assertFalse(outcome.interrupted());
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void anInterruptedAcceptClosesTheListener(boolean virtual) throws Exception {
        ServerSocketChannel server = server();
        Outcome outcome = blockThen(virtual, server::accept, Thread::interrupt);
        assertInstanceOf(ClosedByInterruptException.class, outcome.thrown());
        assertTrue(outcome.interrupted());
        assertFalse(server.isOpen());
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void anAcceptBlockedWhenAnotherThreadClosesThrowsAsynchronousClose(boolean virtual) throws Exception {
        ServerSocketChannel server = server();
        Outcome outcome = blockThen(virtual, server::accept, thread -> {
            try {
                server.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(AsynchronousCloseException.class, outcome.thrown().getClass());
    }

    /** Small buffers on a fresh pair, so that the kernel's autotuning cannot keep taking a writer's bytes. */
    private static void smallBuffers(SocketChannel[] pair) throws IOException {
        pair[0].setOption(java.net.StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        pair[1].setOption(java.net.StandardSocketOptions.SO_RCVBUF, 64 * 1024);
    }

    /**
     * Fills the path between the pair until it takes nothing more (small buffers, non-blocking writes
     * until several rounds in a row write nothing), then puts the writer back in blocking mode: its
     * next write can only block, not return after a partial write.
     */
    private static void fill(SocketChannel[] pair) throws Exception {
        smallBuffers(pair);
        pair[0].configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        for (int quietRounds = 0; quietRounds < 3; ) {
            long written = 0;
            int n;
            do {
                chunk.clear();
                n = pair[0].write(chunk);
                written += n;
            } while (n > 0);
            quietRounds = written == 0 ? quietRounds + 1 : 0;
            Thread.sleep(20);
        }
        pair[0].configureBlocking(true);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void anInterruptedWriteClosesTheChannel(boolean virtual) throws Exception {
        SocketChannel[] pair = pair();
        // Nobody reads and the path is full: the write blocks at once (a blocking write that
        // could write part of its buffer would return, as the JDK's does).
        fill(pair);
        ByteBuffer big = ByteBuffer.allocate(1 << 20);
        Outcome outcome = blockThen(virtual, () -> pair[0].write(big), Thread::interrupt);
        assertInstanceOf(ClosedByInterruptException.class, outcome.thrown());
        assertTrue(outcome.interrupted());
        assertFalse(pair[0].isOpen());
    }

    @Test
    void aWriteBlockedWhenAnotherThreadClosesThrowsAsynchronousClose() throws Exception {
        SocketChannel[] pair = pair();
        fill(pair);
        ByteBuffer big = ByteBuffer.allocate(1 << 20);
        Outcome outcome = blockThen(false, () -> pair[0].write(big), thread -> {
            try {
                pair[0].close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(AsynchronousCloseException.class, outcome.thrown().getClass());
    }

    @Test
    void aReadOnAnInterruptedThreadClosesTheChannelAtOnce() throws Exception {
        SocketChannel[] pair = pair();
        Thread.currentThread().interrupt();
        try {
            assertThrows(ClosedByInterruptException.class, () -> pair[1].read(ByteBuffer.allocate(1)));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertFalse(pair[1].isOpen());
    }

    @Test
    void aNonBlockingReadIgnoresTheInterruptStatus() throws Exception {
        SocketChannel[] pair = pair();
        pair[1].configureBlocking(false);
        Thread.currentThread().interrupt();
        try {
            assertEquals(0, pair[1].read(ByteBuffer.allocate(1)));
        } finally {
            Thread.interrupted();
        }
        assertTrue(pair[1].isOpen(), "only blocking operations are interruptible");
    }

    @Test
    void aBlockingConnectOnAnInterruptedThreadClosesTheChannel() throws Exception {
        ServerSocketChannel server = server();
        SocketChannel client = client();
        Thread.currentThread().interrupt();
        try {
            assertThrows(ClosedByInterruptException.class, () -> client.connect(server.getLocalAddress()));
        } finally {
            Thread.interrupted();
        }
        assertFalse(client.isOpen());
    }

    @Test
    void aShutdownInputWakesABlockedReaderWithEndOfStream() throws Exception {
        SocketChannel[] pair = pair();
        AtomicReference<Integer> result = new AtomicReference<>();
        CountDownLatch starting = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> {
            starting.countDown();
            try {
                result.set(pair[1].read(ByteBuffer.allocate(1)));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        starting.await();
        letBlock(reader);
        pair[1].shutdownInput();
        reader.join(10_000);
        assertFalse(reader.isAlive());
        assertEquals(-1, result.get());
    }
}
