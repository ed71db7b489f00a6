package io.mtcp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The selector: registration, key sets, ready sets (level-triggered), cancellation, interest
 * changes, select variants, wakeup in every order, timeouts, close and interrupt.
 */
class SelectorCompatTest extends CompatTestBase {

    /** A connected non-blocking pair registered with {@code selector}: keys {client, accepted} with interest 0. */
    private SelectionKey[] registeredPair(Selector selector) throws IOException {
        SocketChannel[] pair = pair();
        pair[0].configureBlocking(false);
        pair[1].configureBlocking(false);
        return new SelectionKey[] {pair[0].register(selector, 0), pair[1].register(selector, 0)};
    }

    /** Selects until {@code key} is selected (up to 10 s), leaving it in the selected set. */
    private static void selectUntil(Selector selector, SelectionKey key) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!selector.selectedKeys().contains(key)) {
            assertTrue(System.nanoTime() < deadline, "not selected within 10 s: " + key);
            selector.select(100);
        }
    }

    // ------------------------------------------------------------------------------ lifecycle, registration

    @Test
    void aSelectorBelongsToItsProviderAndStartsEmpty() throws IOException {
        Selector selector = selector();
        assertSame(provider, selector.provider());
        assertTrue(selector.isOpen());
        assertTrue(selector.keys().isEmpty());
        assertTrue(selector.selectedKeys().isEmpty());
        assertEquals(0, selector.selectNow());
    }

    @Test
    void aClosedSelectorRefusesEverything() throws IOException {
        Selector selector = selector();
        selector.close();
        selector.close(); // idempotent
        assertFalse(selector.isOpen());
        assertThrows(ClosedSelectorException.class, selector::keys);
        assertThrows(ClosedSelectorException.class, selector::selectedKeys);
        assertThrows(ClosedSelectorException.class, selector::selectNow);
        assertThrows(ClosedSelectorException.class, () -> selector.select(1));
        assertThrows(ClosedSelectorException.class, () -> selector.select(k -> { }));
        SocketChannel client = client();
        client.configureBlocking(false);
        assertThrows(ClosedSelectorException.class, () -> client.register(selector, SelectionKey.OP_READ));
        selector.wakeup(); // allowed
    }

    @Test
    void aBlockingChannelCannotRegister() throws IOException {
        Selector selector = selector();
        SocketChannel client = client();
        assertThrows(IllegalBlockingModeException.class, () -> client.register(selector, SelectionKey.OP_CONNECT));
        assertFalse(client.isRegistered());
    }

    @Test
    void aRegisteredChannelCannotBecomeBlocking() throws IOException {
        Selector selector = selector();
        SocketChannel client = client();
        client.configureBlocking(false);
        client.register(selector, SelectionKey.OP_CONNECT);
        assertThrows(IllegalBlockingModeException.class, () -> client.configureBlocking(true));
        assertFalse(client.isBlocking());
    }

    @Test
    void aCancelledKeyLetsTheChannelBlockAgain() throws IOException {
        Selector selector = selector();
        SocketChannel[] pair = pair();
        pair[0].configureBlocking(false);
        SelectionKey key = pair[0].register(selector, SelectionKey.OP_READ);
        key.cancel();
        pair[0].configureBlocking(true); // cancelled: no valid key, even before the next select
        assertTrue(pair[0].isRegistered(), "registered until the selector deregisters it");
        selector.selectNow();
        assertFalse(pair[0].isRegistered());
        writeFully(pair[1], bytes("blocking again"));
        ByteBuffer buffer = ByteBuffer.allocate(14);
        assertEquals(14, readFully(pair[0], buffer));
    }

    @Test
    void registrationChecksOpsAndOpenness() throws IOException {
        Selector selector = selector();
        SocketChannel client = client();
        client.configureBlocking(false);
        assertThrows(IllegalArgumentException.class, () -> client.register(selector, SelectionKey.OP_ACCEPT));
        ServerSocketChannel server = server();
        server.configureBlocking(false);
        assertThrows(IllegalArgumentException.class, () -> server.register(selector, SelectionKey.OP_READ));
        client.close();
        assertThrows(ClosedChannelException.class, () -> client.register(selector, SelectionKey.OP_CONNECT));
    }

    @Test
    void aKeyKnowsItsChannelSelectorAndAttachment() throws IOException {
        Selector selector = selector();
        SocketChannel client = client();
        client.configureBlocking(false);
        Object attachment = new Object();
        SelectionKey key = client.register(selector, SelectionKey.OP_CONNECT, attachment);
        assertSame(client, key.channel());
        assertSame(selector, key.selector());
        assertSame(attachment, key.attachment());
        assertSame(key, client.keyFor(selector));
        assertTrue(client.isRegistered());
        assertTrue(key.isValid());
        assertEquals(SelectionKey.OP_CONNECT, key.interestOps());
        assertEquals(0, key.readyOps());
        assertSame(attachment, key.attach("new"));
        assertEquals("new", key.attachment());
        assertEquals(Set.of(key), selector.keys());
    }

    @Test
    void registeringAgainUpdatesTheSameKey() throws IOException {
        Selector selector = selector();
        SocketChannel client = client();
        client.configureBlocking(false);
        SelectionKey first = client.register(selector, SelectionKey.OP_CONNECT, "a");
        SelectionKey second = client.register(selector, SelectionKey.OP_READ, "b");
        assertSame(first, second);
        assertEquals(SelectionKey.OP_READ, first.interestOps());
        assertEquals("b", first.attachment());
        assertEquals(1, selector.keys().size());
    }

    @Test
    void theKeySetIsUnmodifiableAndTheSelectedSetUngrowable() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        assertThrows(UnsupportedOperationException.class, () -> selector.keys().remove(keys[0]));
        assertThrows(UnsupportedOperationException.class, () -> selector.keys().add(keys[0]));
        assertThrows(UnsupportedOperationException.class, () -> selector.keys().clear());
        assertThrows(UnsupportedOperationException.class, () -> selector.selectedKeys().add(keys[0]));
        keys[0].interestOps(SelectionKey.OP_WRITE);
        assertEquals(1, selector.selectNow());
        assertTrue(selector.selectedKeys().remove(keys[0]));
        assertTrue(selector.selectedKeys().isEmpty());
    }

    // ------------------------------------------------------------------------------ readiness

    @Test
    void aListenerIsAcceptableWhenAConnectionArrives() throws IOException {
        Selector selector = selector();
        ServerSocketChannel server = server();
        server.configureBlocking(false);
        SelectionKey key = server.register(selector, SelectionKey.OP_ACCEPT);
        assertEquals(0, selector.selectNow());
        SocketChannel client = client();
        client.connect(server.getLocalAddress());
        selectUntil(selector, key);
        assertTrue(key.isAcceptable());
        assertEquals(SelectionKey.OP_ACCEPT, key.readyOps());
        SocketChannel accepted = track(server.accept());
        assertStackPath(client, accepted);
        selector.selectedKeys().clear();
        assertEquals(0, selector.selectNow(), "nothing more to accept");
    }

    @Test
    void aPendingConnectIsConnectableWhenItCompletes() throws IOException {
        Selector selector = selector();
        ServerSocketChannel server = server();
        SocketChannel client = client();
        client.configureBlocking(false);
        SelectionKey key = client.register(selector, SelectionKey.OP_CONNECT);
        if (!client.connect(server.getLocalAddress())) {
            selectUntil(selector, key);
            assertTrue(key.isConnectable());
            assertEquals(SelectionKey.OP_CONNECT, key.readyOps());
            assertTrue(client.finishConnect());
        }
        assertStackPath(client, track(server.accept()));
    }

    @Test
    void aConnectedChannelIsWritableAtOnce() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[0].interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        assertEquals(1, selector.selectNow());
        assertEquals(SelectionKey.OP_WRITE, keys[0].readyOps(), "writable, nothing to read");
    }

    @Test
    void readinessIsALevel() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[1].interestOps(SelectionKey.OP_READ);
        assertEquals(0, selector.selectNow());
        writeFully((SocketChannel) keys[0].channel(), bytes("data"));
        selectUntil(selector, keys[1]);
        assertTrue(keys[1].isReadable());
        selector.selectedKeys().clear();
        assertEquals(1, selector.selectNow(), "still readable: nothing was read");
        selector.selectedKeys().clear();
        ByteBuffer buffer = ByteBuffer.allocate(4);
        while (buffer.hasRemaining()) {
            ((SocketChannel) keys[1].channel()).read(buffer);
        }
        assertEquals(0, selector.selectNow(), "drained: not readable");
    }

    @Test
    void readyOpsAccumulateWhileTheKeyStaysSelected() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[1].interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        assertEquals(1, selector.selectNow());
        assertEquals(SelectionKey.OP_WRITE, keys[1].readyOps());
        assertEquals(0, selector.selectNow(), "selected already with the same ops: not counted");
        writeFully((SocketChannel) keys[0].channel(), bytes("x"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        int updated = 0;
        while (updated == 0) {
            assertTrue(System.nanoTime() < deadline);
            updated = selector.select(100);
        }
        assertEquals(1, updated, "a new op for a key already selected counts");
        assertEquals(SelectionKey.OP_READ | SelectionKey.OP_WRITE, keys[1].readyOps());
    }

    @Test
    void readyOpsAreReplacedWhenTheKeyIsSelectedAnew() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[1].interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        writeFully((SocketChannel) keys[0].channel(), bytes("x"));
        selectUntil(selector, keys[1]);
        while (keys[1].readyOps() != (SelectionKey.OP_READ | SelectionKey.OP_WRITE)) {
            selector.select(100);
        }
        selector.selectedKeys().clear();
        ((SocketChannel) keys[1].channel()).read(ByteBuffer.allocate(1));
        assertEquals(1, selector.selectNow());
        assertEquals(SelectionKey.OP_WRITE, keys[1].readyOps(), "the ready set is replaced, not merged");
    }

    @Test
    void thePeersCloseMakesAChannelReadableAtEndOfStream() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[1].interestOps(SelectionKey.OP_READ);
        keys[0].channel().close();
        selectUntil(selector, keys[1]);
        assertTrue(keys[1].isReadable());
        assertEquals(-1, ((SocketChannel) keys[1].channel()).read(ByteBuffer.allocate(1)));
    }

    @Test
    void anUnboundListenerIsReportedAcceptable() throws IOException {
        // A JDK quirk (the unbound socket polls as hung up), mirrored because the kernel answers it.
        Selector selector = selector();
        ServerSocketChannel server = track(provider.openServerSocketChannel());
        server.configureBlocking(false);
        SelectionKey key = server.register(selector, SelectionKey.OP_ACCEPT);
        assertEquals(1, selector.selectNow());
        assertTrue(key.isAcceptable());
    }

    // ------------------------------------------------------------------------------ interest, cancel

    @Test
    void anInterestChangeTakesEffectAtTheNextSelect() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        writeFully((SocketChannel) keys[0].channel(), bytes("data"));
        assertEquals(0, selector.select(200), "interest 0: nothing selected");
        keys[1].interestOps(SelectionKey.OP_READ);
        selectUntil(selector, keys[1]);
        assertTrue(keys[1].isReadable());
        selector.selectedKeys().clear();
        keys[1].interestOps(0);
        assertEquals(0, selector.selectNow(), "interest removed: not selected though readable");
    }

    @Test
    void interestOpsOrAndAndReturnThePreviousSet() throws IOException {
        Selector selector = selector();
        SelectionKey key = registeredPair(selector)[0];
        assertEquals(0, key.interestOpsOr(SelectionKey.OP_READ));
        assertEquals(SelectionKey.OP_READ, key.interestOpsOr(SelectionKey.OP_WRITE));
        assertEquals(SelectionKey.OP_READ | SelectionKey.OP_WRITE, key.interestOpsAnd(~SelectionKey.OP_READ));
        assertEquals(SelectionKey.OP_WRITE, key.interestOps());
        assertThrows(IllegalArgumentException.class, () -> key.interestOpsOr(SelectionKey.OP_ACCEPT));
        assertThrows(IllegalArgumentException.class, () -> key.interestOps(SelectionKey.OP_ACCEPT));
    }

    @Test
    void aCancelledKeyLeavesTheKeySetAtTheNextSelect() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[0].cancel();
        assertFalse(keys[0].isValid());
        assertTrue(selector.keys().contains(keys[0]), "until the next select");
        assertTrue(keys[0].channel().isRegistered());
        selector.selectNow();
        assertFalse(selector.keys().contains(keys[0]));
        assertFalse(keys[0].channel().isRegistered());
        assertNull(keys[0].channel().keyFor(selector));
        assertTrue(selector.keys().contains(keys[1]));
    }

    @Test
    void aCancelledKeyThrowsOnItsOps() throws IOException {
        Selector selector = selector();
        SelectionKey key = registeredPair(selector)[0];
        key.cancel();
        key.cancel(); // idempotent
        assertThrows(CancelledKeyException.class, key::interestOps);
        assertThrows(CancelledKeyException.class, () -> key.interestOps(SelectionKey.OP_READ));
        assertThrows(CancelledKeyException.class, key::readyOps);
        assertThrows(CancelledKeyException.class, key::isReadable);
        assertSame(key.channel(), key.channel(), "channel and selector stay available");
    }

    @Test
    void registeringAgainBeforeTheCancelIsProcessedThrows() throws IOException {
        Selector selector = selector();
        SelectionKey key = registeredPair(selector)[0];
        key.cancel();
        assertThrows(CancelledKeyException.class, () -> key.channel().register(selector, SelectionKey.OP_READ));
    }

    @Test
    void registeringAgainAfterTheCancelIsProcessedMakesANewKey() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[1].cancel();
        selector.selectNow();
        SelectionKey again = keys[1].channel().register(selector, SelectionKey.OP_READ);
        assertNotSame(keys[1], again);
        assertTrue(again.isValid());
        writeFully((SocketChannel) keys[0].channel(), bytes("hello"));
        selectUntil(selector, again);
        assertTrue(again.isReadable());
    }

    @Test
    void aCancelledKeyLeavesTheSelectedSet() throws IOException {
        Selector selector = selector();
        SelectionKey key = registeredPair(selector)[0];
        key.interestOps(SelectionKey.OP_WRITE);
        assertEquals(1, selector.selectNow());
        key.cancel();
        assertTrue(selector.selectedKeys().contains(key));
        selector.selectNow();
        assertFalse(selector.selectedKeys().contains(key));
    }

    @Test
    void closingARegisteredChannelCancelsItsKey() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[1].interestOps(SelectionKey.OP_READ);
        keys[0].channel().close();
        assertFalse(keys[0].isValid());
        selector.select(100);
        assertFalse(selector.keys().contains(keys[0]));
        assertFalse(keys[0].channel().isRegistered());
        selectUntil(selector, keys[1]);
        assertEquals(-1, ((SocketChannel) keys[1].channel()).read(ByteBuffer.allocate(1)), "the peer saw the close");
    }

    @Test
    void closingTheSelectorDeregistersItsChannelsButLeavesThemOpen() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        selector.close();
        for (SelectionKey key : keys) {
            assertFalse(key.isValid());
            assertFalse(key.channel().isRegistered());
            assertTrue(key.channel().isOpen());
        }
        keys[0].channel().configureBlocking(true);
        writeFully((SocketChannel) keys[0].channel(), bytes("ok"));
    }

    // ------------------------------------------------------------------------------ select variants

    @Test
    void selectWithAnActionRunsItPerReadyKeyAndLeavesTheSelectedSetAlone() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[0].interestOps(SelectionKey.OP_WRITE);
        keys[1].interestOps(SelectionKey.OP_WRITE);
        List<SelectionKey> seen = new ArrayList<>();
        assertEquals(2, selector.selectNow(seen::add));
        assertEquals(Set.of(keys[0], keys[1]), new HashSet<>(seen));
        assertTrue(selector.selectedKeys().isEmpty());
        seen.clear();
        assertEquals(2, selector.select(seen::add, 1000));
        assertEquals(2, seen.size(), "level-triggered: the action runs again");
        assertEquals(SelectionKey.OP_WRITE, keys[0].readyOps());
    }

    @Test
    void aBlockingSelectWithAnActionReturnsWhenAKeyIsReady() throws IOException {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[1].interestOps(SelectionKey.OP_READ);
        writeFully((SocketChannel) keys[0].channel(), bytes("go"));
        List<SelectionKey> seen = new ArrayList<>();
        while (seen.isEmpty()) {
            selector.select(seen::add);
        }
        assertEquals(List.of(keys[1]), seen);
    }

    @Test
    void selectInsideAnActionThrowsIllegalState() throws IOException {
        Selector selector = selector();
        SelectionKey key = registeredPair(selector)[0];
        key.interestOps(SelectionKey.OP_WRITE);
        assertThrows(IllegalStateException.class, () -> selector.selectNow(k -> {
            try {
                selector.selectNow();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }));
    }

    @Test
    void badTimeoutsAndActionsAreRejected() throws IOException {
        Selector selector = selector();
        assertThrows(IllegalArgumentException.class, () -> selector.select(-1));
        assertThrows(IllegalArgumentException.class, () -> selector.select(k -> { }, -1));
        assertThrows(NullPointerException.class, () -> selector.select((java.util.function.Consumer<SelectionKey>) null));
        assertThrows(NullPointerException.class, () -> selector.selectNow(null));
    }

    @Test
    void aTimedSelectWithNothingReadyReturnsZero() throws IOException {
        Selector selector = selector();
        registeredPair(selector)[1].interestOps(SelectionKey.OP_READ);
        assertEquals(0, selector.select(50));
        assertEquals(0, selector.select(k -> { }, 50));
        assertTrue(selector.selectedKeys().isEmpty());
    }

    // ------------------------------------------------------------------------------ wakeup

    @Test
    void aWakeupBeforeSelectMakesItReturnAtOnce() throws IOException {
        Selector selector = selector();
        registeredPair(selector)[1].interestOps(SelectionKey.OP_READ);
        selector.wakeup();
        assertEquals(0, selector.select(), "returns without anything ready");
        selector.wakeup();
        selector.wakeup();
        assertEquals(0, selector.select(k -> { }), "several wakeups: one select returns");
    }

    @Test
    void selectNowClearsAPendingWakeup() throws Exception {
        Selector selector = selector();
        selector.wakeup();
        assertEquals(0, selector.selectNow());
        CountDownLatch starting = new CountDownLatch(1);
        Thread selecting = new Thread(() -> {
            try {
                starting.countDown();
                selector.select();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        selecting.start();
        starting.await();
        letBlock(selecting); // blocks: the wakeup was consumed by selectNow
        selector.wakeup();
        selecting.join(10_000);
        assertFalse(selecting.isAlive());
    }

    @Test
    void aWakeupConsumedByASelectDoesNotCarryOver() throws Exception {
        Selector selector = selector();
        selector.wakeup();
        selector.select();
        CountDownLatch starting = new CountDownLatch(1);
        Thread selecting = new Thread(() -> {
            try {
                starting.countDown();
                selector.select();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        selecting.start();
        starting.await();
        letBlock(selecting);
        selector.wakeup();
        selecting.join(10_000);
        assertFalse(selecting.isAlive());
    }

    @Test
    void aWakeupFromAnotherThreadEndsABlockedSelect() throws Exception {
        Selector selector = selector();
        registeredPair(selector)[1].interestOps(SelectionKey.OP_READ);
        CountDownLatch starting = new CountDownLatch(1);
        Future<Integer> selected = threads.submit(() -> {
            starting.countDown();
            return selector.select();
        });
        starting.await();
        Thread.sleep(200);
        selector.wakeup();
        assertEquals(0, selected.get());
    }

    @Test
    void closingTheSelectorEndsABlockedSelect() throws Exception {
        Selector selector = selector();
        CountDownLatch starting = new CountDownLatch(1);
        Future<Integer> selected = threads.submit(() -> {
            starting.countDown();
            return selector.select();
        });
        starting.await();
        Thread.sleep(200);
        selector.close();
        assertEquals(0, selected.get());
    }

    @Test
    void dataArrivingEndsABlockedSelect() throws Exception {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[1].interestOps(SelectionKey.OP_READ);
        CountDownLatch starting = new CountDownLatch(1);
        Future<Integer> selected = threads.submit(() -> {
            starting.countDown();
            int n;
            while ((n = selector.select()) == 0) {
                // spurious returns are allowed; wait for the key
            }
            return n;
        });
        starting.await();
        Thread.sleep(100);
        writeFully((SocketChannel) keys[0].channel(), bytes("wake"));
        assertEquals(1, selected.get());
        assertTrue(keys[1].isReadable());
    }

    @Test
    void aConnectFromAnotherThreadEndsABlockedSelect() throws Exception {
        Selector selector = selector();
        ServerSocketChannel server = server();
        server.configureBlocking(false);
        SelectionKey key = server.register(selector, SelectionKey.OP_ACCEPT);
        Future<Integer> selected = threads.submit(() -> {
            int n;
            while ((n = selector.select()) == 0) {
                // spurious returns are allowed
            }
            return n;
        });
        Thread.sleep(100);
        SocketChannel client = client();
        client.connect(server.getLocalAddress());
        assertEquals(1, selected.get());
        assertTrue(key.isAcceptable());
        assertStackPath(client, track(server.accept()));
    }

    // ------------------------------------------------------------------------------ interrupt

    @Test
    void anInterruptEndsABlockedSelectAndStaysSet() throws Exception {
        Selector selector = selector();
        CountDownLatch starting = new CountDownLatch(1);
        boolean[] interruptedAfter = new boolean[1];
        Thread selecting = new Thread(() -> {
            try {
                starting.countDown();
                selector.select();
                interruptedAfter[0] = Thread.currentThread().isInterrupted();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        selecting.start();
        starting.await();
        letBlock(selecting);
        selecting.interrupt();
        selecting.join(10_000);
        assertFalse(selecting.isAlive());
        assertTrue(interruptedAfter[0], "the interrupt status is kept");
        assertTrue(selector.isOpen(), "an interrupt does not close a selector");
    }

    @Test
    void aSelectOnAnInterruptedThreadReturnsAtOnce() throws IOException {
        Selector selector = selector();
        Thread.currentThread().interrupt();
        try {
            assertEquals(0, selector.select());
            assertEquals(0, selector.select(), "and again while the status is set");
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    // ------------------------------------------------------------------------------ many

    @Test
    void oneSelectorServesManyConnections() throws Exception {
        int connections = 200;
        Selector selector = selector();
        ServerSocketChannel server = server();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            SocketChannel client = client();
            client.configureBlocking(false);
            client.register(selector, SelectionKey.OP_CONNECT, i);
            client.connect(server.getLocalAddress());
            clients.add(client);
        }
        int accepted = 0;
        int echoed = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (echoed < connections) {
            assertTrue(System.nanoTime() < deadline, "echoed " + echoed + " of " + connections);
            selector.select(1000);
            for (SelectionKey key : selector.selectedKeys()) {
                if (key.isAcceptable()) {
                    SocketChannel channel;
                    while ((channel = server.accept()) != null) {
                        track(channel);
                        channel.configureBlocking(false);
                        channel.register(selector, SelectionKey.OP_READ, "server");
                        accepted++;
                    }
                } else if (key.isConnectable()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    if (channel.finishConnect()) {
                        channel.write(ByteBuffer.wrap(new byte[] {(byte) (int) (Integer) key.attachment()}));
                        key.interestOps(SelectionKey.OP_READ);
                    }
                } else if (key.isReadable()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    ByteBuffer one = ByteBuffer.allocate(1);
                    int got;
                    try {
                        got = channel.read(one);
                    } catch (IOException e) {
                        throw new AssertionError("read failed on " + key.attachment() + " " + channel + " after " + accepted
                                + " accepted and " + echoed + " echoed" + (isMtcp() ? "; stack " + Impl.stack().counters(0) : ""), e);
                    }
                    if (got == 1) {
                        if ("server".equals(key.attachment())) {
                            one.flip();
                            channel.write(one);
                        } else {
                            assertEquals((byte) (int) (Integer) key.attachment(), one.get(0));
                            echoed++;
                            key.interestOps(0);
                        }
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        assertEquals(connections, accepted);
        if (isMtcp()) {
            for (SocketChannel client : clients) {
                assertEquals(io.mtcp4j.provider.Backend.STACK, ((io.mtcp4j.provider.MtcpChannel) client).backend());
            }
        }
    }

    @Test
    void aChannelRegisteredWithTwoSelectorsIsReadyInBoth() throws IOException {
        Selector first = selector();
        Selector second = selector();
        SocketChannel[] pair = pair();
        pair[1].configureBlocking(false);
        SelectionKey one = pair[1].register(first, SelectionKey.OP_READ);
        SelectionKey two = pair[1].register(second, SelectionKey.OP_READ);
        assertNotSame(one, two);
        assertSame(one, pair[1].keyFor(first));
        assertSame(two, pair[1].keyFor(second));
        writeFully(pair[0], bytes("both"));
        selectUntil(first, one);
        selectUntil(second, two);
        one.cancel();
        first.selectNow();
        assertTrue(pair[1].isRegistered(), "still registered with the second");
        second.selectedKeys().clear();
        assertEquals(1, second.selectNow());
    }

    @Test
    void anInterestChangeDuringABlockedSelectCountsAfterAWakeup() throws Exception {
        Selector selector = selector();
        SelectionKey[] keys = registeredPair(selector);
        keys[0].interestOps(SelectionKey.OP_READ);
        CountDownLatch starting = new CountDownLatch(1);
        Future<Integer> selected = threads.submit(() -> {
            starting.countDown();
            return selector.select();
        });
        starting.await();
        Thread.sleep(200);
        keys[0].interestOps(SelectionKey.OP_WRITE); // writable at once; applied at the next select
        selector.wakeup();
        int first = selected.get();
        if (first == 0) {
            assertEquals(1, selector.selectNow(), "the next select applies the new interest");
        }
        assertTrue(selector.selectedKeys().contains(keys[0]));
        assertEquals(SelectionKey.OP_WRITE, keys[0].readyOps());
    }

    @Test
    void severalSelectorsOnSeveralThreadsServeTheirOwnConnections() throws Exception {
        int selectors = 4;
        int perSelector = 25;
        List<Future<Integer>> results = new ArrayList<>();
        ServerSocketChannel server = server();
        for (int s = 0; s < selectors; s++) {
            Selector selector = selector();
            List<SocketChannel[]> pairs = new ArrayList<>();
            for (int i = 0; i < perSelector; i++) {
                SocketChannel client = client();
                assertTrue(client.connect(server.getLocalAddress()));
                SocketChannel accepted = track(server.accept());
                assertStackPath(client, accepted);
                client.configureBlocking(false);
                accepted.configureBlocking(false);
                client.register(selector, SelectionKey.OP_WRITE, "client");
                accepted.register(selector, SelectionKey.OP_READ, "server");
                pairs.add(new SocketChannel[] {client, accepted});
            }
            results.add(threads.submit(() -> {
                int received = 0;
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (received < perSelector * 100) {
                    assertTrue(System.nanoTime() < deadline, "received " + received);
                    selector.select(1000);
                    for (SelectionKey key : selector.selectedKeys()) {
                        SocketChannel channel = (SocketChannel) key.channel();
                        if ("client".equals(key.attachment()) && key.isWritable()) {
                            channel.write(ByteBuffer.allocate(100));
                            key.interestOps(0);
                        } else if (key.isReadable()) {
                            int n = channel.read(ByteBuffer.allocate(1000));
                            received += Math.max(n, 0);
                        }
                    }
                    selector.selectedKeys().clear();
                }
                return received;
            }));
        }
        for (Future<Integer> result : results) {
            assertEquals(perSelector * 100, result.get());
        }
    }
}
