package io.mtcp4j.stack.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.engine.EngineConfig;
import io.mtcp4j.stack.engine.StackAddresses;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Stack#hasListener}: what the NIO provider asks before a connect, to choose between the
 * stack and the kernel. A loopback stack (one device receiving its own frames) owning
 * {@code 127.0.0.1/8} and {@code ::1/128}, stepped in the test thread.
 */
class StackListenerQueryTest {
    private long nowNs = 1_000_000_000L;
    private LoopDevice device;
    private Stack stack;
    private InetAddress v4;
    private InetAddress v6;

    @BeforeEach
    void start() throws IOException {
        device = LoopDevice.loopback(LoopDevice.Options.defaults("query"));
        stack = Stack.builder().device(device).threads(false).clock(() -> nowNs).config(EngineConfig.of(StackAddresses.of(
                device.macAddress(), Ipv4Address.parse("127.0.0.1"), 8, Ipv6Address.parse("::1"), 128))).start();
        v4 = InetAddress.getByName("127.0.0.1");
        v6 = InetAddress.getByName("::1");
    }

    @AfterEach
    void stop() {
        stack.close();
        device.close();
    }

    @Test
    void aWildcardListenerAnswersForBothFamilies() throws IOException {
        StackServerSocket listener = stack.openServerSocket().bind(new InetSocketAddress(9100), 8);
        assertTrue(stack.hasListener(v4, 9100));
        assertTrue(stack.hasListener(v6, 9100));
        assertFalse(stack.hasListener(v4, 9101), "another port");
        listener.close();
        assertFalse(stack.hasListener(v4, 9100), "closed");
    }

    @Test
    void anAddressListenerAnswersForItsAddressOnly() throws IOException {
        stack.openServerSocket().bind(new InetSocketAddress(v4, 9200), 8);
        stack.openServerSocket().bind(new InetSocketAddress(v6, 9201), 8);
        assertTrue(stack.hasListener(v4, 9200));
        assertFalse(stack.hasListener(v6, 9200));
        assertTrue(stack.hasListener(v6, 9201));
        assertFalse(stack.hasListener(v4, 9201));
    }

    @Test
    void anUnboundServerSocketIsNoListener() {
        stack.openServerSocket();
        assertFalse(stack.hasListener(v4, 0));
    }

    /** The loopback stack reaches its own addresses without ARP or neighbour discovery (LOCAL routes). */
    @Test
    void aLoopbackStackConnectsToItself() throws IOException {
        for (InetAddress address : new InetAddress[] {v4, v6}) {
            StackServerSocket listener = stack.openServerSocket().bind(new InetSocketAddress(address, 0), 8);
            runOnce();
            StackSocket client = stack.openSocket();
            client.connect(new InetSocketAddress(address, listener.localAddress().getPort()));
            StackSocket accepted = null;
            for (int i = 0; i < 100 && (accepted == null || !client.finishConnect()); i++) {
                runOnce();
                if (accepted == null) {
                    accepted = listener.accept();
                }
            }
            assertTrue(client.isConnected(), "connected to " + address);
            assertTrue(accepted != null && accepted.isConnected());
        }
        // The only frame dropped: the start-up gratuitous ARP, which the loopback device hands back to its sender.
        for (var reason : io.mtcp4j.stack.ip.IpDrop.values()) {
            if (reason != io.mtcp4j.stack.ip.IpDrop.NONE) {
                org.junit.jupiter.api.Assertions.assertEquals(reason == io.mtcp4j.stack.ip.IpDrop.ARP_OWN_FRAME ? 1 : 0,
                        stack.engine(0).ipDrops(reason), reason.name());
            }
        }
        for (var reason : io.mtcp4j.stack.engine.EngineDrop.values()) {
            if (reason != io.mtcp4j.stack.engine.EngineDrop.NONE) {
                org.junit.jupiter.api.Assertions.assertEquals(0, stack.counters(0).drops(reason), reason.name());
            }
        }
    }

    private void runOnce() {
        nowNs += 100_000;
        stack.runOnce(nowNs);
    }
}
