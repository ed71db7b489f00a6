package io.mtcp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Socket options: the supported sets, defaults, set and get, and bad values, on unconnected and
 * connected channels (on mtcp4j a connected channel is a stack socket, an unconnected one has no
 * backend yet: both must answer as the JDK does).
 */
class OptionsCompatTest extends CompatTestBase {

    /** The JDK's own answers, which both providers must give. */
    private static Set<SocketOption<?>> jdkSocketOptions() throws IOException {
        try (SocketChannel channel = Impl.jdk.provider().openSocketChannel()) {
            return channel.supportedOptions();
        }
    }

    private static Set<SocketOption<?>> jdkServerOptions() throws IOException {
        try (ServerSocketChannel channel = Impl.jdk.provider().openServerSocketChannel()) {
            return channel.supportedOptions();
        }
    }

    @Test
    void socketChannelsSupportTheJdksOptions() throws IOException {
        assertEquals(jdkSocketOptions(), client().supportedOptions());
        assertEquals(jdkSocketOptions(), pair()[0].supportedOptions(), "connected");
    }

    @Test
    void serverChannelsSupportTheJdksOptions() throws IOException {
        assertEquals(jdkServerOptions(), track(provider.openServerSocketChannel()).supportedOptions());
        assertEquals(jdkServerOptions(), server().supportedOptions(), "bound");
    }

    static Stream<Arguments> socketDefaults() {
        return Stream.of(
                Arguments.of(StandardSocketOptions.TCP_NODELAY, false),
                Arguments.of(StandardSocketOptions.SO_KEEPALIVE, false),
                Arguments.of(StandardSocketOptions.SO_LINGER, -1),
                Arguments.of(StandardSocketOptions.SO_REUSEADDR, false),
                Arguments.of(StandardSocketOptions.IP_TOS, 0));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("socketDefaults")
    void anUnconnectedChannelHasTheDefault(SocketOption<?> option, Object value) throws IOException {
        assertEquals(value, client().getOption(option));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("socketDefaults")
    void bothEndsOfAConnectionHaveTheDefault(SocketOption<?> option, Object value) throws IOException {
        SocketChannel[] pair = pair();
        assertEquals(value, pair[0].getOption(option), "client");
        // An accepted socket inherits the listener's SO_REUSEADDR, which a server channel sets.
        assertEquals(option == StandardSocketOptions.SO_REUSEADDR ? true : value, pair[1].getOption(option), "accepted");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SO_SNDBUF", "SO_RCVBUF"})
    void bufferSizesArePositive(String name) throws IOException {
        SocketOption<Integer> option = name.equals("SO_SNDBUF") ? StandardSocketOptions.SO_SNDBUF : StandardSocketOptions.SO_RCVBUF;
        assertTrue(client().getOption(option) > 0);
        SocketChannel[] pair = pair();
        assertTrue(pair[0].getOption(option) > 0);
        assertTrue(pair[1].getOption(option) > 0);
        pair[0].setOption(option, 32 * 1024);
        assertTrue(pair[0].getOption(option) > 0);
    }

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of(StandardSocketOptions.TCP_NODELAY, true, true),
                Arguments.of(StandardSocketOptions.SO_KEEPALIVE, true, true),
                Arguments.of(StandardSocketOptions.SO_REUSEADDR, true, true),
                Arguments.of(StandardSocketOptions.SO_LINGER, 5, 5),
                Arguments.of(StandardSocketOptions.SO_LINGER, 0, 0),
                Arguments.of(StandardSocketOptions.SO_LINGER, -7, -1),
                Arguments.of(StandardSocketOptions.SO_LINGER, 70_000, 65_535));
    }

    @ParameterizedTest(name = "{0} {1} reads {2}")
    @MethodSource("settings")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aSetValueReadsBackUnconnected(SocketOption option, Object value, Object expected) throws IOException {
        SocketChannel client = client();
        client.setOption(option, value);
        assertEquals(expected, client.getOption(option));
    }

    @ParameterizedTest(name = "{0} {1} reads {2}")
    @MethodSource("settings")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aSetValueReadsBackConnected(SocketOption option, Object value, Object expected) throws IOException {
        SocketChannel channel = pair()[0];
        channel.setOption(option, value);
        assertEquals(expected, channel.getOption(option));
    }

    @Test
    void optionsSetBeforeConnectHoldAfterIt() throws IOException {
        var server = server();
        SocketChannel client = client();
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        client.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        client.setOption(StandardSocketOptions.SO_LINGER, 3);
        assertTrue(client.connect(server.getLocalAddress()));
        assertStackPath(client, track(server.accept()));
        assertEquals(true, client.getOption(StandardSocketOptions.TCP_NODELAY));
        assertEquals(true, client.getOption(StandardSocketOptions.SO_KEEPALIVE));
        assertEquals(3, client.getOption(StandardSocketOptions.SO_LINGER));
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(StandardSocketOptions.SO_RCVBUF, -1),
                Arguments.of(StandardSocketOptions.SO_SNDBUF, -1),
                Arguments.of(StandardSocketOptions.IP_TOS, 256),
                Arguments.of(StandardSocketOptions.IP_TOS, -1),
                Arguments.of(StandardSocketOptions.TCP_NODELAY, null),
                Arguments.of(StandardSocketOptions.SO_LINGER, null));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aBadValueIsRejectedUnconnected(SocketOption option, Object value) throws IOException {
        SocketChannel client = client();
        assertThrows(IllegalArgumentException.class, () -> client.setOption(option, value));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aBadValueIsRejectedConnected(SocketOption option, Object value) throws IOException {
        SocketChannel channel = pair()[0];
        assertThrows(IllegalArgumentException.class, () -> channel.setOption(option, value));
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aValueOfTheWrongTypeIsRejected() throws IOException {
        SocketOption raw = StandardSocketOptions.TCP_NODELAY;
        assertThrows(IllegalArgumentException.class, () -> client().setOption(raw, 1));
        SocketOption rawBuffer = StandardSocketOptions.SO_RCVBUF;
        assertThrows(IllegalArgumentException.class, () -> pair()[0].setOption(rawBuffer, "big"));
    }

    static Stream<Arguments> unsupported() {
        return Stream.of(Arguments.of(StandardSocketOptions.SO_BROADCAST), Arguments.of(StandardSocketOptions.IP_MULTICAST_TTL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsupported")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void anUnsupportedOptionThrowsUnsupportedOperation(SocketOption option) throws IOException {
        NetworkChannel[] channels = {client(), pair()[0]};
        for (NetworkChannel channel : channels) {
            assertThrows(UnsupportedOperationException.class, () -> channel.getOption(option));
            assertThrows(UnsupportedOperationException.class, () -> channel.setOption(option, 1));
        }
    }

    @Test
    void aNullOptionNameThrowsNullPointer() throws IOException {
        SocketChannel client = client();
        assertThrows(NullPointerException.class, () -> client.getOption(null));
        assertThrows(NullPointerException.class, () -> client.setOption(null, 1));
    }

    @Test
    void optionsOfAClosedChannelThrowClosedChannel() throws IOException {
        SocketChannel client = client();
        client.close();
        assertThrows(ClosedChannelException.class, () -> client.getOption(StandardSocketOptions.TCP_NODELAY));
        assertThrows(ClosedChannelException.class, () -> client.setOption(StandardSocketOptions.TCP_NODELAY, true));
        SocketChannel connected = pair()[0];
        connected.close();
        assertThrows(ClosedChannelException.class, () -> connected.getOption(StandardSocketOptions.SO_LINGER));
        assertThrows(ClosedChannelException.class, () -> connected.setOption(StandardSocketOptions.SO_LINGER, 1));
    }

    @Test
    void aServerReusesAddressesByDefault() throws IOException {
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        assertEquals(true, server.getOption(StandardSocketOptions.SO_REUSEADDR));
        assertTrue(server.getOption(StandardSocketOptions.SO_RCVBUF) > 0);
        server.setOption(StandardSocketOptions.SO_REUSEADDR, false);
        assertEquals(false, server.getOption(StandardSocketOptions.SO_REUSEADDR));
    }

    @Test
    void aServerRejectsSocketOnlyOptionsAndBadValues() throws IOException {
        ServerSocketChannel server = server();
        assertThrows(UnsupportedOperationException.class, () -> server.getOption(StandardSocketOptions.TCP_NODELAY));
        assertThrows(UnsupportedOperationException.class, () -> server.setOption(StandardSocketOptions.SO_LINGER, 1));
        assertThrows(IllegalArgumentException.class, () -> server.setOption(StandardSocketOptions.SO_RCVBUF, -1));
        assertThrows(IllegalArgumentException.class, () -> server.setOption(StandardSocketOptions.SO_REUSEADDR, null));
        server.close();
        assertThrows(ClosedChannelException.class, () -> server.getOption(StandardSocketOptions.SO_REUSEADDR));
    }

    @Test
    void theJdkProviderIsThePlatformDefault() {
        assertNotNull(SelectorProvider.provider());
    }
}
