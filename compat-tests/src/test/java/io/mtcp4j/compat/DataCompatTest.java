package io.mtcp4j.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reads and writes in both modes: data intact, EOF, half-close, partial writes, resets, scatter/gather. */
class DataCompatTest extends CompatTestBase {

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void bytesArriveIntactBothWays(boolean ipv6) throws IOException {
        SocketChannel[] pair = pair(ipv6 ? LOOPBACK6 : LOOPBACK4);
        writeFully(pair[0], bytes("ping"));
        ByteBuffer buffer = ByteBuffer.allocate(4);
        assertEquals(4, readFully(pair[1], buffer));
        assertEquals("ping", text(buffer));
        writeFully(pair[1], bytes("pong!"));
        buffer = ByteBuffer.allocate(5);
        assertEquals(5, readFully(pair[0], buffer));
        assertEquals("pong!", text(buffer));
    }

    @Test
    void aBlockingWriteWritesEverythingWhileThePeerReads() throws Exception {
        SocketChannel[] pair = pair();
        int size = 8 << 20;
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        Future<byte[]> received = threads.submit(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(size);
            assertEquals(size, readFully(pair[1], buffer));
            return buffer.array();
        });
        assertEquals(size, pair[0].write(ByteBuffer.wrap(data)), "one blocking write takes the whole buffer");
        assertArrayEquals(sha256(data), sha256(received.get()));
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    @Test
    void aNonBlockingReadWithNothingThereReturnsZero() throws IOException {
        SocketChannel[] pair = pair();
        pair[1].configureBlocking(false);
        assertEquals(0, pair[1].read(ByteBuffer.allocate(16)));
    }

    @Test
    void aReadIntoAFullBufferReturnsZeroWithoutBlocking() throws IOException {
        SocketChannel[] pair = pair();
        assertEquals(0, pair[1].read(ByteBuffer.allocate(0)));
    }

    @Test
    void theReaderSeesEndOfStreamAfterThePeerShutsDownOutput() throws IOException {
        SocketChannel[] pair = pair();
        writeFully(pair[0], bytes("last"));
        pair[0].shutdownOutput();
        ByteBuffer buffer = ByteBuffer.allocate(4);
        assertEquals(4, readFully(pair[1], buffer));
        assertEquals(-1, pair[1].read(ByteBuffer.allocate(1)));
        assertEquals(-1, pair[1].read(ByteBuffer.allocate(1)), "end of stream stays");
    }

    @Test
    void theReaderSeesEndOfStreamAfterThePeerCloses() throws IOException {
        SocketChannel[] pair = pair();
        writeFully(pair[0], bytes("bye"));
        pair[0].close();
        ByteBuffer buffer = ByteBuffer.allocate(3);
        assertEquals(3, readFully(pair[1], buffer));
        assertEquals(-1, pair[1].read(ByteBuffer.allocate(1)));
    }

    @Test
    void halfCloseWorksBothWays() throws IOException {
        SocketChannel[] pair = pair();
        pair[0].shutdownOutput();
        assertTrue(pair[0].isConnected(), "still connected after shutdownOutput");
        assertEquals(-1, pair[1].read(ByteBuffer.allocate(1)));
        writeFully(pair[1], bytes("reply after the peer's FIN"));
        ByteBuffer buffer = ByteBuffer.allocate(26);
        assertEquals(26, readFully(pair[0], buffer));
        assertEquals("reply after the peer's FIN", text(buffer));
        pair[1].shutdownOutput();
        assertEquals(-1, pair[0].read(ByteBuffer.allocate(1)));
    }

    @ParameterizedTest(name = "blocking={0}")
    @ValueSource(booleans = {true, false})
    void aWriteAfterShutdownOutputThrowsAsynchronousClose(boolean blocking) throws IOException {
        SocketChannel[] pair = pair();
        pair[0].configureBlocking(blocking);
        pair[0].shutdownOutput();
        pair[0].shutdownOutput(); // twice is fine
        assertThrows(AsynchronousCloseException.class, () -> pair[0].write(bytes("x")));
        assertTrue(pair[0].isOpen(), "the channel stays open");
    }

    @ParameterizedTest(name = "blocking={0}")
    @ValueSource(booleans = {true, false})
    void aReadAfterShutdownInputReturnsEndOfStream(boolean blocking) throws IOException {
        SocketChannel[] pair = pair();
        pair[1].configureBlocking(blocking);
        pair[1].shutdownInput();
        assertEquals(-1, pair[1].read(ByteBuffer.allocate(1)));
        writeFully(pair[1], bytes("writes still work"));
        ByteBuffer buffer = ByteBuffer.allocate(17);
        assertEquals(17, readFully(pair[0], buffer));
    }

    @Test
    void anUnconnectedChannelCannotReadWriteOrShutDown() throws IOException {
        SocketChannel client = client();
        assertThrows(NotYetConnectedException.class, () -> client.read(ByteBuffer.allocate(1)));
        assertThrows(NotYetConnectedException.class, () -> client.write(bytes("x")));
        assertThrows(NotYetConnectedException.class, () -> client.read(new ByteBuffer[] {ByteBuffer.allocate(1)}));
        assertThrows(NotYetConnectedException.class, () -> client.write(new ByteBuffer[] {bytes("x")}));
        assertThrows(NotYetConnectedException.class, client::shutdownInput);
        assertThrows(NotYetConnectedException.class, client::shutdownOutput);
    }

    @Test
    void aClosedChannelCannotReadWriteOrShutDown() throws IOException {
        SocketChannel[] pair = pair();
        pair[0].close();
        pair[0].close(); // close is idempotent
        assertThrows(ClosedChannelException.class, () -> pair[0].read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> pair[0].write(bytes("x")));
        assertThrows(ClosedChannelException.class, pair[0]::shutdownInput);
        assertThrows(ClosedChannelException.class, pair[0]::shutdownOutput);
        assertThrows(ClosedChannelException.class, () -> pair[0].configureBlocking(false));
    }

    @Test
    void scatteringReadsAndGatheringWritesKeepOrder() throws IOException {
        SocketChannel[] pair = pair();
        ByteBuffer[] out = {bytes("abc"), bytes(""), bytes("defgh"), bytes("ij")};
        assertEquals(10, pair[0].write(out));
        ByteBuffer[] in = {ByteBuffer.allocate(4), ByteBuffer.allocate(0), ByteBuffer.allocate(6)};
        long total = 0;
        while (total < 10) {
            total += pair[1].read(in);
        }
        assertEquals("abcd", text(in[0]));
        assertEquals("efghij", text(in[2]));
    }

    @Test
    void gatheringWritesHonourOffsetAndLength() throws IOException {
        SocketChannel[] pair = pair();
        ByteBuffer[] out = {bytes("skip"), bytes("take"), bytes("this"), bytes("skip")};
        assertEquals(8, pair[0].write(out, 1, 2));
        ByteBuffer buffer = ByteBuffer.allocate(8);
        assertEquals(8, readFully(pair[1], buffer));
        assertEquals("takethis", text(buffer));
        assertThrows(IndexOutOfBoundsException.class, () -> pair[0].write(out, 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> pair[1].read(out, -1, 1));
    }

    @Test
    void nonBlockingWritesStopWhenThePeerDoesNotReadAndEveryByteArrivesLater() throws Exception {
        SocketChannel[] pair = pair();
        pair[0].configureBlocking(false);
        byte[] chunk = new byte[64 * 1024];
        new Random(3).nextBytes(chunk);
        long written = 0;
        int zeros = 0;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        // Fill until the send path refuses more (the peer does not read): a partial write, then 0.
        while (zeros < 50) {
            ByteBuffer source = ByteBuffer.wrap(chunk);
            int n = pair[0].write(source);
            sent.update(chunk, 0, n);
            written += n;
            if (n == 0) {
                zeros++;
                Thread.sleep(2);
            } else {
                zeros = 0;
            }
        }
        assertTrue(written > 0);
        Future<byte[]> drained = threads.submit(() -> {
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            ByteBuffer buffer = ByteBuffer.allocate(32 * 1024);
            int n;
            while ((n = pair[1].read(buffer.clear())) >= 0) {
                received.update(buffer.array(), 0, n);
            }
            return received.digest();
        });
        Selector selector = selector();
        pair[0].register(selector, SelectionKey.OP_WRITE);
        assertEquals(1, selector.select(10_000), "room to write once the peer reads");
        pair[0].shutdownOutput();
        assertArrayEquals(sent.digest(), drained.get());
    }

    @Test
    void anAbortiveCloseResetsThePeer() throws IOException {
        SocketChannel[] pair = pair();
        pair[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        pair[1].close();
        SocketException reset = assertThrows(SocketException.class, () -> {
            ByteBuffer buffer = ByteBuffer.allocate(1);
            while (pair[0].read(buffer) >= 0) {
                buffer.clear();
            }
        });
        assertEquals("Connection reset", reset.getMessage());
        assertThrows(SocketException.class, () -> pair[0].read(ByteBuffer.allocate(1)), "a reset is reported again");
    }

    @Test
    void writingToAResetConnectionFails() throws Exception {
        SocketChannel[] pair = pair();
        pair[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        pair[1].close();
        pair[0].configureBlocking(false);
        Selector selector = selector();
        pair[0].register(selector, SelectionKey.OP_READ);
        assertEquals(1, selector.select(10_000), "the reset makes the channel readable");
        assertThrows(IOException.class, () -> {
            for (int i = 0; i < 100; i++) {
                pair[0].write(bytes("after the reset"));
                Thread.sleep(5);
            }
        });
    }

    @Test
    void aBlockingReadWaitsForData() throws Exception {
        SocketChannel[] pair = pair();
        Future<String> reader = threads.submit(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(5);
            readFully(pair[1], buffer);
            return text(buffer);
        });
        Thread.sleep(100);
        writeFully(pair[0], bytes("later"));
        assertEquals("later", reader.get());
    }

    @Test
    void blockingReadsAndWritesWorkOnVirtualThreads() throws Exception {
        SocketChannel[] pair = pair();
        int size = 1 << 20;
        byte[] data = new byte[size];
        new Random(11).nextBytes(data);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                writeFully(pair[0], ByteBuffer.wrap(data));
                pair[0].shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[][] received = new byte[1][];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer buffer = ByteBuffer.allocate(size);
                readFully(pair[1], buffer);
                assertEquals(-1, pair[1].read(ByteBuffer.allocate(1)));
                received[0] = buffer.array();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.join();
        reader.join();
        assertArrayEquals(data, received[0]);
    }

    @Test
    void manyConnectionsCarryDataAtOnce() throws Exception {
        int connections = 16;
        SocketChannel[][] pairs = new SocketChannel[connections][];
        for (int i = 0; i < connections; i++) {
            pairs[i] = pair(i % 2 == 0 ? LOOPBACK4 : LOOPBACK6);
        }
        java.util.List<Future<Integer>> results = new java.util.ArrayList<>();
        for (int i = 0; i < connections; i++) {
            SocketChannel[] p = pairs[i];
            int seed = i;
            results.add(threads.submit(() -> {
                byte[] data = new byte[100_000 + seed];
                new Random(seed).nextBytes(data);
                threads.submit(() -> {
                    writeFully(p[0], ByteBuffer.wrap(data));
                    p[0].shutdownOutput();
                    return null;
                });
                ByteBuffer buffer = ByteBuffer.allocate(data.length + 1);
                int n = readFully(p[1], buffer);
                assertArrayEquals(data, java.util.Arrays.copyOf(buffer.array(), n));
                return n;
            }));
        }
        for (int i = 0; i < connections; i++) {
            assertEquals(100_000 + i, results.get(i).get());
        }
    }

    @Test
    void loopbackAddressesAreReportedPerFamily() throws IOException {
        SocketChannel[] v6 = pair(LOOPBACK6);
        assertEquals(InetAddress.getByName("::1"), ((java.net.InetSocketAddress) v6[0].getLocalAddress()).getAddress());
        assertEquals(InetAddress.getByName("::1"), ((java.net.InetSocketAddress) v6[1].getRemoteAddress()).getAddress());
        SocketChannel[] v4 = pair(LOOPBACK4);
        assertEquals(LOOPBACK4, ((java.net.InetSocketAddress) v4[0].getLocalAddress()).getAddress());
    }
}
