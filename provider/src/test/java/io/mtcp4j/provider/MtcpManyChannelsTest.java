package io.mtcp4j.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.api.Stack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ten thousand connections, both ends on one selector and one thread: every client connects
 * without blocking, sends its index, the server side echoes it, each client checks its own.
 * mtcp4j only (the JDK run of the same would need 20,000 descriptors, this machine's limit), with
 * 16 KiB rings so that 20,000 connection ends fit in memory.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MtcpManyChannelsTest {
    private static final int CONNECTIONS = 10_000;

    /** A connection end: its index (-1 for the server side) and the four bytes it is reading. */
    private record End(int index, ByteBuffer message) {
        End(int index) {
            this(index, ByteBuffer.allocate(4));
        }
    }

    @Test
    void tenThousandConnectionsOnOneSelector() throws IOException {
        MtcpSelectorProvider provider = new MtcpSelectorProvider(MtcpConfig.from(Map.of("rcvbuf", "16k", "sndbuf", "16k"), ""));
        List<SocketChannel> channels = new ArrayList<>();
        try (Selector selector = provider.openSelector();
             ServerSocketChannel server = provider.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            int started = 0;
            int accepted = 0;
            int echoed = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (echoed < CONNECTIONS) {
                assertTrue(System.nanoTime() < deadline, "started " + started + " accepted " + accepted + " echoed " + echoed);
                // Open in waves so that the listener's backlog is not flooded all at once.
                for (int i = 0; i < 500 && started < CONNECTIONS && started - echoed < 2000; i++) {
                    SocketChannel client = provider.openSocketChannel();
                    channels.add(client);
                    client.configureBlocking(false);
                    client.register(selector, SelectionKey.OP_CONNECT, new End(started));
                    client.connect(server.getLocalAddress());
                    started++;
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        SocketChannel channel;
                        while ((channel = server.accept()) != null) {
                            channels.add(channel);
                            channel.configureBlocking(false);
                            channel.register(selector, SelectionKey.OP_READ, new End(-1));
                            accepted++;
                        }
                    } else if (key.isConnectable()) {
                        SocketChannel channel = (SocketChannel) key.channel();
                        if (channel.finishConnect()) {
                            channel.write(ByteBuffer.allocate(4).putInt(0, ((End) key.attachment()).index()));
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        SocketChannel channel = (SocketChannel) key.channel();
                        End end = (End) key.attachment();
                        ByteBuffer four = end.message();
                        if (channel.read(four) < 0) {
                            throw new IOException("end of stream at " + end);
                        }
                        if (four.hasRemaining()) {
                            continue; // the rest comes later
                        }
                        if (end.index() < 0) {
                            channel.write(four.flip());
                            four.clear();
                        } else {
                            assertEquals(end.index(), four.getInt(0));
                            echoed++;
                            key.cancel();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
            assertEquals(CONNECTIONS, accepted);
            for (SocketChannel channel : channels) {
                assertEquals(Backend.STACK, ((MtcpChannel) channel).backend());
            }
            Stack stack = provider.stack();
            long opens = 0;
            for (int i = 0; i < stack.engineCount(); i++) {
                opens += stack.counters(i).activeOpens();
            }
            assertEquals(CONNECTIONS, opens);
        } finally {
            for (SocketChannel channel : channels) {
                channel.close();
            }
            provider.close();
        }
    }
}
