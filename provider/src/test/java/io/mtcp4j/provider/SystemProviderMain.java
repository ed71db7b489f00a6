package io.mtcp4j.provider;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * A plain NIO program, run in a child JVM by {@link MtcpSystemProviderTest} with mtcp4j as the
 * system provider: it uses only {@code open()} factories, a selector and an echo, and prints what
 * happened as {@code key=value} lines.
 */
public final class SystemProviderMain {
    private SystemProviderMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        try (ServerSocketChannel server = ServerSocketChannel.open(); Selector selector = Selector.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            accepted.configureBlocking(false);
            accepted.register(selector, SelectionKey.OP_READ);
            client.write(ByteBuffer.wrap("hello".getBytes()));
            ByteBuffer buffer = ByteBuffer.allocate(5);
            while (buffer.hasRemaining()) {
                selector.select();
                selector.selectedKeys().clear();
                accepted.read(buffer);
            }
            System.out.println("echo=" + new String(buffer.array()));
            System.out.println("client=" + (client instanceof MtcpChannel m ? m.backend() : "jdk"));
            System.out.println("accepted=" + (accepted instanceof MtcpChannel m ? m.backend() : "jdk"));
            client.close();
            accepted.close();
        }
        try (DatagramChannel datagram = DatagramChannel.open()) {
            System.out.println("datagram=" + datagram.getClass().getName());
        } catch (RuntimeException e) {
            System.out.println("datagram=" + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
