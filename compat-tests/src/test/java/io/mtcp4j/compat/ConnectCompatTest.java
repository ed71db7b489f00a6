package io.mtcp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The connect/finishConnect state machine, addresses after connecting, and failed connects. */
class ConnectCompatTest extends CompatTestBase {

    private InetAddress loopback(boolean ipv6) {
        return ipv6 ? LOOPBACK6 : LOOPBACK4;
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void blockingConnectIsConnectedWithBothAddresses(boolean ipv6) throws IOException {
        InetAddress address = loopback(ipv6);
        ServerSocketChannel server = server(address);
        SocketChannel client = client();
        InetSocketAddress target = target(server, address);
        assertTrue(client.connect(target));
        assertTrue(client.isConnected());
        assertFalse(client.isConnectionPending());
        assertEquals(target, client.getRemoteAddress());
        InetSocketAddress local = (InetSocketAddress) client.getLocalAddress();
        assertEquals(address, local.getAddress());
        assertNotEquals(0, local.getPort());
        SocketChannel accepted = track(server.accept());
        assertEquals(local, accepted.getRemoteAddress());
        assertEquals(target, accepted.getLocalAddress());
        assertStackPath(client, accepted);
    }

    @Test
    void unconnectedChannelHasNoAddresses() throws IOException {
        SocketChannel client = client();
        assertNull(client.getLocalAddress());
        assertNull(client.getRemoteAddress());
        assertFalse(client.isConnected());
        assertFalse(client.isConnectionPending());
        assertTrue(client.isBlocking());
        assertTrue(client.isOpen());
        assertSame(provider, client.provider());
    }

    @ParameterizedTest(name = "ipv6={0}")
    @ValueSource(booleans = {false, true})
    void nonBlockingConnectCompletesThroughFinishConnect(boolean ipv6) throws IOException {
        InetAddress address = loopback(ipv6);
        ServerSocketChannel server = server(address);
        SocketChannel client = client();
        client.configureBlocking(false);
        InetSocketAddress target = target(server, address);
        boolean now = client.connect(target);
        if (!now) {
            assertTrue(client.isConnectionPending());
            assertFalse(client.isConnected());
            assertEquals(target, client.getRemoteAddress(), "the remote address is known while pending");
            Selector selector = selector();
            client.register(selector, SelectionKey.OP_CONNECT);
            while (!client.finishConnect()) {
                selector.select(1000);
            }
        }
        assertTrue(client.isConnected());
        assertFalse(client.isConnectionPending());
        assertTrue(client.finishConnect(), "finishConnect on a connected channel returns true");
        assertEquals(address, ((InetSocketAddress) client.getLocalAddress()).getAddress());
        server.configureBlocking(true);
        assertStackPath(client, track(server.accept()));
    }

    @Test
    void connectWhenConnectedThrowsAlreadyConnected() throws IOException {
        SocketChannel[] pair = pair();
        assertThrows(AlreadyConnectedException.class, () -> pair[0].connect(pair[1].getLocalAddress()));
        assertTrue(pair[0].isOpen(), "a state error does not close the channel");
        assertTrue(pair[0].isConnected());
    }

    @Test
    void connectWhilePendingThrowsConnectionPending() throws IOException {
        ServerSocketChannel server = server();
        SocketChannel client = client();
        client.configureBlocking(false);
        boolean now = client.connect(target(server, LOOPBACK4));
        assumeFalse(now, "the connect completed at once");
        assertThrows(ConnectionPendingException.class, () -> client.connect(target(server, LOOPBACK4)));
        assertTrue(client.isOpen());
        assertTrue(client.isConnectionPending());
    }

    @Test
    void finishConnectWithoutConnectThrowsNoConnectionPending() throws IOException {
        SocketChannel client = client();
        assertThrows(NoConnectionPendingException.class, client::finishConnect);
        client.configureBlocking(false);
        assertThrows(NoConnectionPendingException.class, client::finishConnect);
    }

    @Test
    void blockingConnectToAPortWithoutListenerIsRefusedAndCloses() throws IOException {
        SocketChannel client = client();
        ConnectException refused = assertThrows(ConnectException.class,
                () -> client.connect(new InetSocketAddress(LOOPBACK4, freePort())));
        assertTrue(refused.getMessage().startsWith("Connection refused"), refused.getMessage());
        assertFalse(client.isOpen(), "a failed connect closes the channel");
        assertThrows(ClosedChannelException.class, () -> client.connect(new InetSocketAddress(LOOPBACK4, 80)));
    }

    @Test
    void nonBlockingConnectToAPortWithoutListenerFailsInFinishConnect() throws IOException {
        SocketChannel client = client();
        client.configureBlocking(false);
        Selector selector = selector();
        client.register(selector, SelectionKey.OP_CONNECT);
        boolean refused = false;
        try {
            if (!client.connect(new InetSocketAddress(LOOPBACK4, freePort()))) {
                assertEquals(1, selector.select(10_000), "the failed connect is reported as OP_CONNECT");
                assertTrue(selector.selectedKeys().iterator().next().isConnectable());
                client.finishConnect();
            }
        } catch (ConnectException e) {
            refused = true;
        }
        assertTrue(refused);
        assertFalse(client.isOpen());
    }

    @Test
    void connectToTheWildcardAddressReachesLoopback() throws IOException {
        ServerSocketChannel server = server(InetAddress.getByName("0.0.0.0"));
        SocketChannel client = client();
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        assertTrue(client.connect(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port)));
        assertEquals(new InetSocketAddress(LOOPBACK4, port), client.getRemoteAddress());
        assertStackPath(client, track(server.accept()));
    }

    @Test
    void connectToAnUnresolvedAddressThrows() throws IOException {
        SocketChannel client = client();
        assertThrows(UnresolvedAddressException.class, () -> client.connect(InetSocketAddress.createUnresolved("no.such.host", 80)));
        assertTrue(client.isOpen(), "an address error does not close the channel");
    }

    @Test
    void connectToAnUnsupportedAddressTypeThrows() throws IOException {
        SocketChannel client = client();
        assertThrows(UnsupportedAddressTypeException.class, () -> client.connect(new SocketAddress() { }));
        assertThrows(NullPointerException.class, () -> client.connect(null));
        assertTrue(client.isOpen());
    }

    @Test
    void anIpv4ChannelRejectsAnIpv6Address() throws IOException {
        SocketChannel client = track(provider.openSocketChannel(StandardProtocolFamily.INET));
        assertThrows(UnsupportedAddressTypeException.class, () -> client.connect(new InetSocketAddress(LOOPBACK6, 80)));
    }

    @Test
    void anIpv4ChannelConnectsOverIpv4() throws IOException {
        ServerSocketChannel server = server();
        SocketChannel client = track(provider.openSocketChannel(StandardProtocolFamily.INET));
        assertTrue(client.connect(target(server, LOOPBACK4)));
        assertStackPath(client, track(server.accept()));
    }

    @Test
    void connectOnAClosedChannelThrowsClosedChannel() throws IOException {
        ServerSocketChannel server = server();
        SocketChannel client = client();
        client.close();
        assertThrows(ClosedChannelException.class, () -> client.connect(target(server, LOOPBACK4)));
        assertThrows(ClosedChannelException.class, client::finishConnect);
        assertThrows(ClosedChannelException.class, client::getLocalAddress);
        assertThrows(ClosedChannelException.class, client::getRemoteAddress);
    }

    @Test
    void aClosedConnectedChannelIsNotConnected() throws IOException {
        SocketChannel[] pair = pair();
        pair[0].close();
        assertFalse(pair[0].isOpen());
        assertFalse(pair[0].isConnected(), "isConnected is false after close, as the JDK's");
    }

    @Test
    void manySequentialConnectionsGetDistinctLocalPorts() throws IOException {
        ServerSocketChannel server = server();
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            SocketChannel client = client();
            assertTrue(client.connect(target(server, LOOPBACK4)));
            SocketChannel accepted = track(server.accept());
            assertStackPath(client, accepted);
            assertTrue(ports.add(((InetSocketAddress) client.getLocalAddress()).getPort()), "distinct ephemeral ports");
            client.close();
            accepted.close();
        }
    }
}
