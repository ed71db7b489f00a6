package io.mtcp4j.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One selector serving stack channels, kernel delegates, kernel twins and the platform's own
 * channels (a pipe): readiness from both sources, wakeups while it blocks in its inner selector.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MtcpSelectorHybridTest {
    private static final InetAddress LOOPBACK4 = InetAddress.getLoopbackAddress();

    private final MtcpSelectorProvider provider = new MtcpSelectorProvider(MtcpConfig.defaults());
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        threads.shutdownNow();
        provider.close();
    }

    private static Set<SelectionKey> selectAll(Selector selector, int expected) throws IOException {
        Set<SelectionKey> seen = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seen.size() < expected) {
            assertTrue(System.nanoTime() < deadline, "selected " + seen);
            selector.select(100);
            seen.addAll(selector.selectedKeys());
            selector.selectedKeys().clear();
        }
        return seen;
    }

    @Test
    void stackKernelAndPlatformChannelsBecomeReadyOnOneSelector() throws IOException {
        try (Selector selector = provider.openSelector();
             ServerSocketChannel stackServer = provider.openServerSocketChannel().bind(new InetSocketAddress(LOOPBACK4, 0));
             ServerSocketChannel kernelServer = provider.openServerSocketChannel()
                     .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
             SocketChannel stackClient = provider.openSocketChannel();
             SocketChannel kernelClient = provider.openSocketChannel()) {
            stackClient.connect(stackServer.getLocalAddress());
            kernelClient.connect(kernelServer.getLocalAddress());
            SocketChannel stackAccepted = stackServer.accept();
            SocketChannel kernelAccepted = kernelServer.accept();
            assertEquals(Backend.STACK, stackAccepted instanceof MtcpChannel m ? m.backend() : null);
            assertEquals(Backend.KERNEL, ((MtcpChannel) kernelAccepted).backend());
            Pipe pipe = provider.openPipe();
            stackAccepted.configureBlocking(false);
            kernelAccepted.configureBlocking(false);
            pipe.source().configureBlocking(false);
            SelectionKey stackKey = stackAccepted.register(selector, SelectionKey.OP_READ);
            SelectionKey kernelKey = kernelAccepted.register(selector, SelectionKey.OP_READ);
            SelectionKey pipeKey = pipe.source().register(selector, SelectionKey.OP_READ);
            assertEquals(0, selector.selectNow());
            stackClient.write(ByteBuffer.wrap(new byte[] {1}));
            kernelClient.write(ByteBuffer.wrap(new byte[] {2}));
            pipe.sink().write(ByteBuffer.wrap(new byte[] {3}));
            assertEquals(Set.of(stackKey, kernelKey, pipeKey), selectAll(selector, 3));
            pipe.sink().close();
            pipe.source().close();
            selector.selectNow();
            assertFalse(pipe.source().isRegistered(), "a closed platform channel is deregistered");
            stackAccepted.close();
            kernelAccepted.close();
        }
    }

    @Test
    void aListenerWithATwinIsAcceptableFromEitherSide() throws IOException {
        try (Selector selector = provider.openSelector();
             ServerSocketChannel server = provider.openServerSocketChannel().bind(new InetSocketAddress(0));
             SocketChannel stackClient = provider.openSocketChannel()) {
            server.configureBlocking(false);
            SelectionKey key = server.register(selector, SelectionKey.OP_ACCEPT);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            try (Socket kernelClient = new Socket(LOOPBACK4, port)) {
                selectAll(selector, 1);
                SocketChannel fromKernel = server.accept();
                assertEquals(Backend.KERNEL, ((MtcpChannel) fromKernel).backend());
                assertEquals(kernelClient.getLocalPort(), ((InetSocketAddress) fromKernel.getRemoteAddress()).getPort());
                fromKernel.close();
            }
            stackClient.connect(new InetSocketAddress(LOOPBACK4, port));
            assertEquals(Backend.STACK, ((MtcpChannel) stackClient).backend());
            assertTrue(selectAll(selector, 1).contains(key));
            SocketChannel fromStack = server.accept();
            assertEquals(Backend.STACK, ((MtcpChannel) fromStack).backend());
            fromStack.close();
        }
    }

    @Test
    void anEngineEventWakesASelectBlockedInTheInnerSelector() throws Exception {
        try (Selector selector = provider.openSelector();
             ServerSocketChannel kernelServer = provider.openServerSocketChannel()
                     .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
             ServerSocketChannel stackServer = provider.openServerSocketChannel().bind(new InetSocketAddress(LOOPBACK4, 0));
             SocketChannel client = provider.openSocketChannel()) {
            kernelServer.configureBlocking(false);
            kernelServer.register(selector, SelectionKey.OP_ACCEPT); // a kernel key: select blocks in the inner selector
            client.connect(stackServer.getLocalAddress());
            SocketChannel accepted = stackServer.accept();
            accepted.configureBlocking(false);
            SelectionKey key = accepted.register(selector, SelectionKey.OP_READ);
            assertEquals(0, selector.selectNow());
            CountDownLatch starting = new CountDownLatch(1);
            Future<Integer> selected = threads.submit(() -> {
                starting.countDown();
                int n;
                while ((n = selector.select()) == 0) {
                    // spurious returns are allowed
                }
                return n;
            });
            starting.await();
            Thread.sleep(200);
            client.write(ByteBuffer.wrap(new byte[] {5}));
            assertEquals(1, selected.get(10, TimeUnit.SECONDS));
            assertTrue(selector.selectedKeys().contains(key));
            accepted.close();
        }
    }

    @Test
    void aSelectorOfAnotherKindIsRefused() throws IOException {
        try (Selector jdkSelector = PlatformProvider.get().openSelector(); SocketChannel client = provider.openSocketChannel()) {
            client.configureBlocking(false);
            assertThrows(IllegalSelectorException.class, () -> client.register(jdkSelector, SelectionKey.OP_CONNECT));
        }
        try (Selector selector = provider.openSelector()) {
            AbstractSelectableChannel foreign = new java.nio.channels.spi.AbstractSelectableChannel(null) {
                @Override
                protected void implCloseSelectableChannel() {
                }

                @Override
                protected void implConfigureBlocking(boolean block) {
                }

                @Override
                public int validOps() {
                    return SelectionKey.OP_READ;
                }
            };
            foreign.configureBlocking(false);
            assertThrows(IllegalSelectorException.class, () -> foreign.register(selector, SelectionKey.OP_READ));
        }
    }
}
