package io.mtcp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Binding and accepting: addresses, ephemeral ports, address in use, blocking and non-blocking accept. */
class AcceptCompatTest extends CompatTestBase {

    @Test
    void anUnboundServerHasNoAddressAndCannotAccept() throws IOException {
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        assertNull(server.getLocalAddress());
        assertTrue(server.isBlocking());
        assertSame(provider, server.provider());
        assertThrows(NotYetBoundException.class, server::accept);
        server.configureBlocking(false);
        assertThrows(NotYetBoundException.class, server::accept);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void bindingToPortZeroTakesAnEphemeralPort(String host) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        ServerSocketChannel server = server(address);
        InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
        assertEquals(address, local.getAddress());
        assertNotEquals(0, local.getPort());
    }

    @Test
    void bindingToNullTakesTheWildcardAndAnEphemeralPort() throws IOException {
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        server.bind(null);
        InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
        assertTrue(local.getAddress().isAnyLocalAddress(), local.toString());
        assertNotEquals(0, local.getPort());
    }

    @Test
    void aWildcardListenerAcceptsOverIpv4AndIpv6() throws IOException {
        ServerSocketChannel server = server(InetAddress.getByName("0.0.0.0"));
        for (InetAddress address : new InetAddress[] {LOOPBACK4, LOOPBACK6}) {
            SocketChannel client = client();
            assertTrue(client.connect(target(server, address)));
            SocketChannel accepted = track(server.accept());
            assertEquals(address, ((InetSocketAddress) accepted.getLocalAddress()).getAddress());
            assertEquals(client.getLocalAddress(), accepted.getRemoteAddress());
            assertStackPath(client, accepted);
        }
    }

    @Test
    void bindingTwiceThrowsAlreadyBound() throws IOException {
        ServerSocketChannel server = server();
        assertThrows(AlreadyBoundException.class, () -> server.bind(new InetSocketAddress(LOOPBACK4, 0)));
    }

    @Test
    void aPortWithAListenerIsInUse() throws IOException {
        ServerSocketChannel first = server();
        ServerSocketChannel second = track(provider.openServerSocketChannel());
        BindException e = assertThrows(BindException.class, () -> second.bind(first.getLocalAddress()));
        assertTrue(e.getMessage().startsWith("Address already in use"), e.getMessage());
        assertNull(second.getLocalAddress(), "a failed bind leaves the channel unbound");
    }

    @Test
    void aPortIsFreeAgainWhenItsListenerCloses() throws IOException {
        ServerSocketChannel first = server();
        java.net.SocketAddress port = first.getLocalAddress();
        first.close();
        ServerSocketChannel second = track(provider.openServerSocketChannel());
        second.bind(port);
        assertEquals(port, second.getLocalAddress());
        SocketChannel client = client();
        assertTrue(client.connect(port));
        assertStackPath(client, track(second.accept()));
    }

    @Test
    void bindRejectsBadAddresses() throws IOException {
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        assertThrows(UnresolvedAddressException.class, () -> server.bind(InetSocketAddress.createUnresolved("no.such.host", 0)));
        assertThrows(UnsupportedAddressTypeException.class, () -> server.bind(new java.net.SocketAddress() { }));
        assertNull(server.getLocalAddress());
    }

    @Test
    void blockingAcceptReturnsAConnectedBlockingChannel() throws IOException {
        ServerSocketChannel server = server();
        SocketChannel client = client();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());
        assertTrue(accepted.isBlocking());
        assertTrue(accepted.isConnected());
        assertTrue(accepted.isOpen());
        assertSame(provider, accepted.provider());
        assertEquals(server.getLocalAddress(), accepted.getLocalAddress());
        assertStackPath(client, accepted);
    }

    @Test
    void nonBlockingAcceptReturnsNullWhenNoneWaits() throws IOException {
        ServerSocketChannel server = server();
        server.configureBlocking(false);
        assertNull(server.accept());
        SocketChannel client = client();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (accepted == null && System.nanoTime() < deadline) {
            accepted = server.accept();
            Thread.onSpinWait();
        }
        assertTrue(accepted != null, "the connection arrived");
        track(accepted);
        assertTrue(accepted.isBlocking(), "accepted channels start in blocking mode");
        assertStackPath(client, accepted);
        assertNull(server.accept());
    }

    @Test
    void acceptOnAClosedServerThrowsClosedChannel() throws IOException {
        ServerSocketChannel server = server();
        server.close();
        assertThrows(ClosedChannelException.class, server::accept);
        assertThrows(ClosedChannelException.class, server::getLocalAddress);
        assertThrows(ClosedChannelException.class, () -> server.bind(null));
    }

    @Test
    void acceptedChannelsOutliveTheirListener() throws IOException {
        SocketChannel[] pair;
        ServerSocketChannel server = server();
        SocketChannel client = client();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = track(server.accept());
        assertStackPath(client, accepted);
        pair = new SocketChannel[] {client, accepted};
        server.close();
        writeFully(pair[0], bytes("still here"));
        ByteBuffer buffer = ByteBuffer.allocate(10);
        assertEquals(10, readFully(pair[1], buffer));
        assertEquals("still here", text(buffer));
    }

    @Test
    void connectionsWaitingInTheBacklogAreAcceptedInTurn() throws IOException {
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        server.bind(new InetSocketAddress(LOOPBACK4, 0), 16);
        SocketChannel[] clients = new SocketChannel[8];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = client();
            assertTrue(clients[i].connect(server.getLocalAddress()));
            writeFully(clients[i], ByteBuffer.wrap(new byte[] {(byte) i}));
        }
        boolean[] seen = new boolean[clients.length];
        for (int i = 0; i < clients.length; i++) {
            SocketChannel accepted = track(server.accept());
            ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, readFully(accepted, one));
            int index = one.get(0);
            assertFalse(seen[index]);
            seen[index] = true;
            assertEquals(clients[index].getLocalAddress(), accepted.getRemoteAddress());
            assertStackPath(clients[index], accepted);
        }
    }

    @Test
    void theServerChannelReportsItsValidOps() throws IOException {
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        assertEquals(java.nio.channels.SelectionKey.OP_ACCEPT, server.validOps());
        SocketChannel client = client();
        assertEquals(java.nio.channels.SelectionKey.OP_READ | java.nio.channels.SelectionKey.OP_WRITE
                | java.nio.channels.SelectionKey.OP_CONNECT, client.validOps());
    }
}
