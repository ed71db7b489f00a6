package io.mtcp4j.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The {@code java.net} views of channels, {@code socket()}: streams, timeouts, options, states and messages. */
class AdaptorCompatTest extends CompatTestBase {

    /** A pair connected through the adaptors: {client, accepted} channels, blocking. */
    private SocketChannel[] adaptorPair() throws IOException {
        ServerSocketChannel server = server();
        SocketChannel client = client();
        client.socket().connect(server.getLocalAddress(), 5000);
        Socket accepted = server.socket().accept();
        SocketChannel acceptedChannel = track(accepted.getChannel());
        assertStackPath(client, acceptedChannel);
        return new SocketChannel[] {client, acceptedChannel};
    }

    @Test
    void theAdaptorIsOneObjectThatKnowsItsChannel() throws IOException {
        SocketChannel client = client();
        Socket socket = client.socket();
        assertSame(socket, client.socket());
        assertSame(client, socket.getChannel());
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        assertSame(server.socket(), server.socket());
        assertSame(server, server.socket().getChannel());
    }

    @Test
    void anUnconnectedSocketReportsNothing() throws IOException {
        Socket socket = client().socket();
        assertFalse(socket.isConnected());
        assertFalse(socket.isBound());
        assertFalse(socket.isClosed());
        assertEquals(0, socket.getPort());
        assertEquals(-1, socket.getLocalPort());
        assertNull(socket.getInetAddress());
        assertNull(socket.getRemoteSocketAddress());
        assertTrue(socket.getLocalAddress().isAnyLocalAddress());
        assertEquals("Socket[unconnected]", socket.toString());
        SocketException e = assertThrows(SocketException.class, socket::getInputStream);
        assertEquals("Socket is not connected", e.getMessage());
        assertEquals("Socket is not connected", assertThrows(SocketException.class, socket::getOutputStream).getMessage());
        assertEquals(0, socket.getSoTimeout());
    }

    @Test
    void streamsCarryBytesBothWays() throws Exception {
        SocketChannel[] pair = adaptorPair();
        Socket client = pair[0].socket();
        Socket accepted = pair[1].socket();
        assertTrue(client.isConnected());
        assertTrue(client.isBound());
        assertEquals(accepted.getLocalPort(), client.getPort());
        assertEquals(client.getLocalPort(), accepted.getPort());
        assertEquals(LOOPBACK4, client.getInetAddress());
        assertEquals("Socket[addr=" + client.getInetAddress() + ",port=" + client.getPort() + ",localport="
                + client.getLocalPort() + "]", client.toString());
        byte[] data = new byte[300_000];
        new Random(5).nextBytes(data);
        Future<byte[]> echoed = threads.submit(() -> accepted.getInputStream().readNBytes(data.length));
        OutputStream out = client.getOutputStream();
        out.write(data, 0, 1000);
        out.write(data, 1000, data.length - 1000);
        out.flush();
        assertArrayEquals(data, echoed.get());
        accepted.getOutputStream().write(77);
        assertEquals(77, client.getInputStream().read());
    }

    @Test
    void aReadTimesOutAndTheSocketStaysUsable() throws IOException {
        SocketChannel[] pair = adaptorPair();
        Socket socket = pair[1].socket();
        socket.setSoTimeout(100);
        assertEquals(100, socket.getSoTimeout());
        InputStream in = socket.getInputStream();
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, in::read);
        assertEquals("Read timed out", e.getMessage());
        assertFalse(socket.isClosed(), "a timeout does not close the socket");
        pair[0].socket().getOutputStream().write(9);
        assertEquals(9, in.read());
    }

    @Test
    void theInputStreamEndsAfterThePeerShutsDownOutputAndAvailableCounts() throws Exception {
        SocketChannel[] pair = adaptorPair();
        Socket client = pair[0].socket();
        Socket accepted = pair[1].socket();
        InputStream in = accepted.getInputStream();
        assertEquals(0, in.available());
        client.getOutputStream().write(new byte[] {1, 2, 3});
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (in.available() < 3) {
            assertTrue(System.nanoTime() < deadline);
            Thread.sleep(1);
        }
        assertEquals(3, in.available());
        client.shutdownOutput();
        assertTrue(client.isOutputShutdown());
        assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
        assertEquals(-1, in.read());
    }

    @Test
    void shutdownsShowInTheSocketsState() throws IOException {
        SocketChannel[] pair = adaptorPair();
        Socket socket = pair[1].socket();
        assertFalse(socket.isInputShutdown());
        socket.shutdownInput();
        assertTrue(socket.isInputShutdown());
        assertEquals("Socket input is shutdown", assertThrows(SocketException.class, socket::getInputStream).getMessage());
        socket.shutdownOutput();
        assertTrue(socket.isOutputShutdown());
        assertEquals("Socket output is shutdown", assertThrows(SocketException.class, socket::getOutputStream).getMessage());
    }

    @Test
    void streamsNeedBlockingMode() throws IOException {
        SocketChannel[] pair = adaptorPair();
        InputStream in = pair[1].socket().getInputStream();
        OutputStream out = pair[1].socket().getOutputStream();
        pair[1].configureBlocking(false);
        assertThrows(IllegalBlockingModeException.class, in::read);
        assertThrows(IllegalBlockingModeException.class, () -> out.write(1));
    }

    @Test
    void optionsGoThroughTheChannel() throws IOException {
        SocketChannel[] pair = adaptorPair();
        Socket socket = pair[0].socket();
        assertFalse(socket.getTcpNoDelay());
        socket.setTcpNoDelay(true);
        assertTrue(socket.getTcpNoDelay());
        assertTrue(pair[0].getOption(java.net.StandardSocketOptions.TCP_NODELAY));
        assertEquals(-1, socket.getSoLinger());
        socket.setSoLinger(true, 5);
        assertEquals(5, socket.getSoLinger());
        socket.setSoLinger(false, 5);
        assertEquals(-1, socket.getSoLinger());
        socket.setKeepAlive(true);
        assertTrue(socket.getKeepAlive());
        assertTrue(socket.getReceiveBufferSize() > 0);
        assertTrue(socket.getSendBufferSize() > 0);
        assertEquals(0, socket.getTrafficClass());
        assertFalse(socket.getOOBInline());
        assertThrows(IllegalArgumentException.class, () -> socket.setReceiveBufferSize(0));
        assertThrows(IllegalArgumentException.class, () -> socket.setSendBufferSize(-1));
        assertThrows(IllegalArgumentException.class, () -> socket.setSoTimeout(-1));
        assertEquals(pair[0].supportedOptions(), socket.supportedOptions());
    }

    @Test
    void aClosedSocketSaysSo() throws IOException {
        SocketChannel[] pair = adaptorPair();
        Socket socket = pair[0].socket();
        socket.close();
        assertTrue(socket.isClosed());
        assertFalse(pair[0].isOpen(), "closing the socket closes the channel");
        assertEquals("Socket is closed", assertThrows(SocketException.class, socket::getSoTimeout).getMessage());
        assertEquals("Socket is closed", assertThrows(SocketException.class, socket::getTcpNoDelay).getMessage());
        assertEquals("Socket is closed", assertThrows(SocketException.class, socket::getInputStream).getMessage());
        assertEquals(-1, pair[1].socket().getInputStream().read(), "the peer sees the close");
    }

    @Test
    void closingAStreamClosesTheSocket() throws IOException {
        SocketChannel[] pair = adaptorPair();
        pair[0].socket().getOutputStream().close();
        assertTrue(pair[0].socket().isClosed());
    }

    @Test
    void connectingTwiceSaysAlreadyConnected() throws IOException {
        SocketChannel[] pair = adaptorPair();
        SocketException e = assertThrows(SocketException.class, () -> pair[0].socket().connect(pair[1].getLocalAddress()));
        assertEquals("Already connected", e.getMessage());
    }

    @Test
    void aRefusedConnectThrowsConnectExceptionAndCloses() throws IOException {
        Socket socket = client().socket();
        assertThrows(ConnectException.class, () -> socket.connect(new InetSocketAddress(LOOPBACK4, freePort()), 5000));
        assertTrue(socket.isClosed());
    }

    @Test
    void anUnresolvedAddressThrowsUnknownHostAndCloses() throws IOException {
        Socket socket = client().socket();
        assertThrows(UnknownHostException.class, () -> socket.connect(InetSocketAddress.createUnresolved("no.such.host", 80)));
        assertTrue(socket.isClosed());
        assertThrows(IllegalArgumentException.class, () -> client().socket().connect(null));
        assertThrows(IllegalArgumentException.class, () -> client().socket().connect(new InetSocketAddress(LOOPBACK4, 1), -1));
    }

    @Test
    void anUnboundServerSocketReportsNothing() throws IOException {
        ServerSocket socket = track(provider.openServerSocketChannel()).socket();
        assertFalse(socket.isBound());
        assertEquals(-1, socket.getLocalPort());
        assertNull(socket.getInetAddress());
        assertEquals("ServerSocket[unbound]", socket.toString());
        assertTrue(socket.getReuseAddress());
        assertTrue(socket.getReceiveBufferSize() > 0);
    }

    @Test
    void aServerSocketBindsAndAcceptsWithATimeout() throws IOException {
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        ServerSocket socket = server.socket();
        socket.bind(new InetSocketAddress(LOOPBACK4, 0));
        assertTrue(socket.isBound());
        assertEquals(LOOPBACK4, socket.getInetAddress());
        assertEquals(((InetSocketAddress) server.getLocalAddress()).getPort(), socket.getLocalPort());
        assertEquals("ServerSocket[addr=" + LOOPBACK4 + ",localport=" + socket.getLocalPort() + "]", socket.toString());
        socket.setSoTimeout(100);
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, socket::accept);
        assertEquals("Accept timed out", e.getMessage());
        assertFalse(socket.isClosed());
        SocketChannel client = client();
        client.connect(server.getLocalAddress());
        socket.setSoTimeout(10_000);
        Socket accepted = socket.accept();
        track(accepted.getChannel());
        assertStackPath(client, accepted.getChannel());
        assertEquals(client.socket().getLocalPort(), accepted.getPort());
    }

    @Test
    void aServerSocketBoundToNullTakesTheWildcard() throws IOException {
        ServerSocket socket = track(provider.openServerSocketChannel()).socket();
        socket.bind(null);
        assertTrue(socket.getInetAddress().isAnyLocalAddress());
        assertTrue(socket.getLocalPort() > 0);
        assertEquals("Already bound", assertThrows(SocketException.class, () -> socket.bind(null)).getMessage());
    }

    @Test
    void aNonBlockingServerSocketCannotAcceptThroughTheAdaptor() throws IOException {
        ServerSocketChannel server = server();
        server.configureBlocking(false);
        assertThrows(IllegalBlockingModeException.class, () -> server.socket().accept());
        server.socket().setSoTimeout(50);
        assertThrows(IllegalBlockingModeException.class, () -> server.socket().accept());
    }

    @Test
    void aClosedServerSocketSaysSo() throws IOException {
        ServerSocket socket = server().socket();
        socket.close();
        assertTrue(socket.isClosed());
        // The JDK's adaptor passes the channel's I/O exception through here.
        assertThrows(java.nio.channels.ClosedChannelException.class, socket::accept);
        assertEquals("Socket is closed", assertThrows(SocketException.class, socket::getSoTimeout).getMessage());
    }
}
