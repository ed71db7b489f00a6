package io.mtcp4j.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.api.Stack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where channels go: the stack for its own addresses when a stack listener serves the port, the
 * kernel otherwise; listeners with kernel twins; kernel clients reaching stack listeners; the
 * platform's channels for everything else. Each test has a provider with its own stack.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MtcpRoutingTest {
    private static final InetAddress LOOPBACK4 = InetAddress.getLoopbackAddress();

    private final MtcpSelectorProvider provider = new MtcpSelectorProvider(MtcpConfig.defaults().withTimeWaitNs(100_000_000L));

    @AfterEach
    void close() {
        provider.close();
    }

    private static int port(java.nio.channels.NetworkChannel channel) throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    private static Backend backend(Object channel) {
        return ((MtcpChannel) channel).backend();
    }

    private static long activeOpens(Stack stack) {
        long total = 0;
        for (int i = 0; i < stack.engineCount(); i++) {
            total += stack.counters(i).activeOpens();
        }
        return total;
    }

    private static void echoOnce(SocketChannel a, SocketChannel b) throws IOException {
        a.write(ByteBuffer.wrap(new byte[] {42}));
        ByteBuffer one = ByteBuffer.allocate(1);
        while (one.hasRemaining()) {
            if (b.read(one) < 0) {
                throw new IOException("end of stream");
            }
        }
        assertEquals(42, one.get(0));
    }

    @Test
    void aNewChannelHasNoBackend() throws IOException {
        try (SocketChannel client = provider.openSocketChannel(); ServerSocketChannel server = provider.openServerSocketChannel()) {
            assertEquals(Backend.NONE, backend(client));
            assertEquals(Backend.NONE, backend(server));
            assertNull(((MtcpSocketChannel) client).stackSocket());
        }
    }

    @Test
    void aLoopbackListenerIsOnTheStackWithAKernelTwin() throws IOException {
        try (ServerSocketChannel server = provider.openServerSocketChannel().bind(new InetSocketAddress(LOOPBACK4, 0))) {
            assertEquals(Backend.STACK, backend(server));
            MtcpServerSocketChannel mtcp = (MtcpServerSocketChannel) server;
            assertTrue(mtcp.hasKernelTwin());
            assertEquals(port(server), mtcp.stackServerSocket().localAddress().getPort(), "stack and kernel share the port");
            assertTrue(provider.stack().hasListener(LOOPBACK4, port(server)));
            assertFalse(provider.stack().hasListener(InetAddress.getByName("::1"), port(server)), "an IPv4 listener");
        }
    }

    @Test
    void aConnectToAStackListenerGoesThroughTheStack() throws IOException {
        try (ServerSocketChannel server = provider.openServerSocketChannel().bind(new InetSocketAddress(LOOPBACK4, 0));
             SocketChannel client = provider.openSocketChannel()) {
            long before = activeOpens(provider.stack());
            assertTrue(client.connect(server.getLocalAddress()));
            try (SocketChannel accepted = server.accept()) {
                assertEquals(Backend.STACK, backend(client));
                assertEquals(Backend.STACK, backend(accepted));
                assertNotNull(((MtcpSocketChannel) client).stackSocket());
                echoOnce(client, accepted);
                assertTrue(activeOpens(provider.stack()) > before);
            }
        }
    }

    @Test
    void aKernelClientReachesAStackListenerThroughItsTwin() throws IOException {
        try (ServerSocketChannel server = provider.openServerSocketChannel().bind(new InetSocketAddress(0));
             Socket kernelClient = new Socket(LOOPBACK4, port(server))) {
            try (SocketChannel accepted = server.accept()) {
                assertEquals(Backend.KERNEL, backend(accepted));
                assertEquals(kernelClient.getLocalPort(), ((InetSocketAddress) accepted.getRemoteAddress()).getPort());
                kernelClient.getOutputStream().write(7);
                ByteBuffer one = ByteBuffer.allocate(1);
                assertEquals(1, accepted.read(one));
                assertEquals(7, one.get(0));
            }
        }
    }

    @Test
    void aLoopbackPortWithoutAStackListenerGoesToTheKernel() throws IOException {
        try (ServerSocket kernelServer = new ServerSocket(0, 50, LOOPBACK4); SocketChannel client = provider.openSocketChannel()) {
            assertTrue(client.connect(new InetSocketAddress(LOOPBACK4, kernelServer.getLocalPort())));
            assertEquals(Backend.KERNEL, backend(client));
            try (Socket accepted = kernelServer.accept()) {
                client.write(ByteBuffer.wrap(new byte[] {9}));
                assertEquals(9, accepted.getInputStream().read());
            }
        }
    }

    @Test
    void aListenerOnAnotherLoopbackAddressIsKernelOnly() throws IOException {
        InetAddress other = InetAddress.getByName("127.0.0.2");
        try (ServerSocketChannel server = provider.openServerSocketChannel().bind(new InetSocketAddress(other, 0));
             SocketChannel client = provider.openSocketChannel()) {
            assertEquals(Backend.KERNEL, backend(server));
            assertFalse(((MtcpServerSocketChannel) server).hasKernelTwin());
            assertTrue(client.connect(server.getLocalAddress()));
            assertEquals(Backend.KERNEL, backend(client));
            try (SocketChannel accepted = server.accept()) {
                assertEquals(Backend.KERNEL, backend(accepted));
                echoOnce(accepted, client);
            }
        }
    }

    @Test
    void aBoundClientIsAKernelChannelAndStillReachesAStackListener() throws IOException {
        try (ServerSocketChannel server = provider.openServerSocketChannel().bind(new InetSocketAddress(LOOPBACK4, 0));
             SocketChannel client = provider.openSocketChannel()) {
            client.bind(new InetSocketAddress(LOOPBACK4, 0));
            assertEquals(Backend.KERNEL, backend(client));
            assertTrue(client.connect(server.getLocalAddress()));
            try (SocketChannel accepted = server.accept()) {
                assertEquals(Backend.KERNEL, backend(accepted), "arrived through the twin");
                echoOnce(client, accepted);
            }
        }
    }

    @Test
    void optionsSetBeforeTheBackendReachIt() throws IOException {
        try (ServerSocketChannel server = provider.openServerSocketChannel().bind(new InetSocketAddress(LOOPBACK4, 0));
             SocketChannel stackClient = provider.openSocketChannel();
             SocketChannel kernelClient = provider.openSocketChannel()) {
            stackClient.setOption(StandardSocketOptions.TCP_NODELAY, true);
            stackClient.connect(server.getLocalAddress());
            assertEquals(Backend.STACK, backend(stackClient));
            assertEquals(true, ((MtcpSocketChannel) stackClient).stackSocket().getOption(StandardSocketOptions.TCP_NODELAY));
            kernelClient.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            kernelClient.bind(null);
            assertEquals(Backend.KERNEL, backend(kernelClient));
            assertEquals(true, ((SocketChannel) ((MtcpSocketChannel) kernelClient).kernelChannel()).getOption(StandardSocketOptions.SO_KEEPALIVE));
            server.accept().close();
        }
    }

    @Test
    void withLoopbackOnTheKernelEverythingIsKernel() throws IOException {
        MtcpSelectorProvider kernelOnly = new MtcpSelectorProvider(MtcpConfig.defaults().withLoopback(MtcpConfig.Loopback.KERNEL));
        try (ServerSocketChannel server = kernelOnly.openServerSocketChannel().bind(new InetSocketAddress(LOOPBACK4, 0));
             SocketChannel client = kernelOnly.openSocketChannel()) {
            assertEquals(Backend.KERNEL, backend(server));
            assertTrue(client.connect(server.getLocalAddress()));
            assertEquals(Backend.KERNEL, backend(client));
            server.accept().close();
        } finally {
            kernelOnly.close();
        }
    }

    @Test
    void twoProvidersWithTheirOwnStacksTalkThroughTheTwin() throws IOException {
        MtcpSelectorProvider other = new MtcpSelectorProvider(MtcpConfig.defaults());
        try (ServerSocketChannel server = other.openServerSocketChannel().bind(new InetSocketAddress(LOOPBACK4, 0));
             SocketChannel client = provider.openSocketChannel()) {
            assertTrue(client.connect(server.getLocalAddress()));
            assertEquals(Backend.KERNEL, backend(client), "this provider's stack has no listener on the port");
            try (SocketChannel accepted = server.accept()) {
                echoOnce(client, accepted);
            }
        } finally {
            other.close();
        }
    }

    @Test
    void datagramsPipesAndUnixChannelsAreThePlatforms() throws IOException {
        SelectorProvider platform = PlatformProvider.get();
        assertFalse(platform instanceof MtcpSelectorProvider);
        try (DatagramChannel datagram = provider.openDatagramChannel();
             SocketChannel unix = provider.openSocketChannel(java.net.StandardProtocolFamily.UNIX)) {
            assertSame(platform, datagram.provider());
            assertSame(platform, unix.provider());
        }
        Pipe pipe = provider.openPipe();
        assertSame(platform, pipe.source().provider());
        pipe.source().close();
        pipe.sink().close();
    }
}
