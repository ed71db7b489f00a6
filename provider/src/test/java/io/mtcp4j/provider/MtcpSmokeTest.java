package io.mtcp4j.provider;

import static org.junit.jupiter.api.Assertions.*;

import java.net.*;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MtcpSmokeTest {
    @Test
    void blockingEcho() throws Exception {
        MtcpSelectorProvider provider = new MtcpSelectorProvider();
        try (ServerSocketChannel server = provider.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            System.out.println(server);
            SocketChannel client = provider.openSocketChannel();
            assertTrue(client.connect(server.getLocalAddress()));
            SocketChannel accepted = server.accept();
            System.out.println(client + " / " + accepted);
            assertEquals(Backend.STACK, ((MtcpChannel) client).backend());
            assertEquals(Backend.STACK, ((MtcpChannel) accepted).backend());
            client.write(ByteBuffer.wrap("hello".getBytes()));
            ByteBuffer b = ByteBuffer.allocate(5);
            while (b.hasRemaining()) accepted.read(b);
            assertEquals("hello", new String(b.array()));
            client.close();
            assertEquals(-1, accepted.read(ByteBuffer.allocate(1)));
            accepted.close();
        }
    }

    @Test
    void selectorEcho() throws Exception {
        MtcpSelectorProvider provider = new MtcpSelectorProvider();
        try (ServerSocketChannel server = provider.openServerSocketChannel(); Selector selector = provider.openSelector()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            SocketChannel client = provider.openSocketChannel();
            client.configureBlocking(false);
            client.register(selector, SelectionKey.OP_CONNECT);
            client.connect(server.getLocalAddress());
            int got = 0;
            while (got < 5) {
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    System.out.println("ready " + key);
                    if (key.isAcceptable()) {
                        SocketChannel a = server.accept();
                        a.configureBlocking(false);
                        a.register(selector, SelectionKey.OP_READ);
                    } else if (key.isConnectable()) {
                        assertTrue(client.finishConnect());
                        key.interestOps(0);
                        client.write(ByteBuffer.wrap("hello".getBytes()));
                    } else if (key.isReadable()) {
                        int n = ((SocketChannel) key.channel()).read(ByteBuffer.allocate(10));
                        got += Math.max(n, 0);
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }
}
