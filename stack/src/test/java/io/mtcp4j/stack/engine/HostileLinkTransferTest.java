package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.ImpairedDevice;
import io.mtcp4j.stack.device.Impairment;
import io.mtcp4j.stack.device.LoopDevice;
import io.mtcp4j.stack.device.Offload;
import io.mtcp4j.stack.tcp.TcpConfig;
import io.mtcp4j.stack.tcp.TcpConnection;
import io.mtcp4j.stack.tcp.TcpConnectionInfo;
import io.mtcp4j.stack.tcp.TcpError;
import io.mtcp4j.stack.tcp.TcpListener;
import io.mtcp4j.stack.tcp.TcpState;
import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Ipv6Address;
import io.mtcp4j.stack.wire.Malformed;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One gibibyte from client to server through a hostile link, once per congestion control: 5%
 * loss, 5% reordering, 1% duplication and 0.1% corruption in each direction, with 1 ms of delay
 * each way (so that a reordered frame really arrives late), from seeded random streams. Two
 * engines over a linked pair of loop devices, the client's end wrapped in an
 * {@link ImpairedDevice} that impairs what it sends and what it receives, stepped in the test
 * thread with an injected clock that jumps to the next deadline when both engines are idle, so
 * retransmission timeouts and the link's delay cost no wall time.
 *
 * <h2>What is checked</h2>
 * <ul>
 *   <li>The receiver's SHA-256 of the stream equals the sender's, and the byte counts match.</li>
 *   <li>No stall: the bytes the server application has read grow in every
 *       {@value #PROGRESS_WINDOW_S} s window of virtual time, and the whole transfer ends within
 *       {@link #VIRTUAL_TIME_LIMIT_NS} (see there for why that bound).</li>
 *   <li>Checksum offload is off on the link, so the engines compute and verify checksums in
 *       software, and the corrupted frames the link delivered are counted as checksum drops.</li>
 *   <li>The connection closes cleanly (the server reads end of stream and closes; no error).</li>
 * </ul>
 * Per congestion control the virtual time taken, the retransmissions and the wall time are
 * printed. {@link #smallReceiveWindowsDoNotStall} runs a shorter transfer through the same link
 * with receive windows of less than three segments.
 */
class HostileLinkTransferTest {
    private static final long TRANSFER_BYTES = 1L << 30;
    private static final long SMALL_WINDOW_TRANSFER_BYTES = 32L << 20;
    /** A link on which the stall described at {@link #smallReceiveWindowsDoNotStall} happened, after 28.7 MB. */
    private static final long SMALL_WINDOW_SEED = 2;
    private static final int PORT = 8000;
    private static final long SEED = 20_261_125L;
    private static final long START_NS = 1_000_000_000L;
    /** Virtual time one busy loop of both engines takes: the clock always moves. */
    private static final long BUSY_STEP_NS = 1_000;
    private static final long ONE_WAY_DELAY_NS = 1_000_000;
    private static final long JITTER_NS = 200_000;
    private static final int PROGRESS_WINDOW_S = 10;
    private static final long PROGRESS_WINDOW_NS = PROGRESS_WINDOW_S * 1_000_000_000L;
    /**
     * The bound on the transfer's virtual time: 5,000 s. On this link the transfer's time goes
     * mostly to retransmission timeouts: a data segment or its ACK is lost about 10% of the time,
     * the 5% reordering by three frames looks like loss to DupThresh and halves the window, so the
     * window stays at a few segments, where a loss often brings too few duplicate ACKs for a fast
     * retransmit, and a lost retransmission waits for the timeout (RACK-TLP is not done), each
     * costing the 200 ms minimum RTO against a 2 ms round trip. The bound is what it would take if
     * every lost data segment were recovered by one minimum timeout and nothing else (741,534
     * segments of 1448 bytes, 5.1% lost, 200 ms each: 7,560 s), less a third: so it fails when
     * SACK recovery stops doing most of the work, or when the connection stalls for long. Measured
     * at the time of writing: about 2,500 s with CUBIC and 2,800 s with NewReno, three quarters
     * of it waiting for timeouts.
     */
    private static final long VIRTUAL_TIME_LIMIT_NS = 5_000_000_000_000L;
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int CLIENT_IP = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER_IP = Ipv4Address.parse("10.0.0.2");

    /** 5% loss, 5% reordering (a held frame lets 3 others pass), 1% duplication, 0.1% corruption, 1 ms +- 0.2 ms. */
    static final Impairment HOSTILE = Impairment.NONE.withLoss(0.05).withReordering(0.05, 3).withDuplication(0.01)
            .withCorruption(0.001).withDelay(ONE_WAY_DELAY_NS, JITTER_NS);

    private long nowNs = START_NS;
    private ImpairedDevice clientDevice;
    private LoopDevice serverDevice;

    @AfterEach
    void closeDevices() {
        if (clientDevice != null) {
            clientDevice.close(); // and the pair's end a
            serverDevice.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cubic", "newreno"})
    void aGibibyteCrossesAHostileLinkIdenticallyWithoutStalling(String congestionControl) throws Exception {
        transfer(congestionControl, TcpConfig.defaults().receiveBufferBytes(), TRANSFER_BYTES, SEED, VIRTUAL_TIME_LIMIT_NS);
    }

    /**
     * The same link with 4 KiB receive rings: the window holds less than three segments, so no
     * loss brings three duplicate ACKs and every loss waits for a timeout, and the window often
     * shrinks below a segment. A timeout whose retransmission did not fit such a window sent
     * nothing and left it to the persist timer, whose backoff multiplied the RTO's: the transfer
     * stalled for more than 10 s, on this link after 28.7 MB
     * ({@code TcpEstablishedSendTest.RetransmissionTimer.timeoutRetransmitsWhatASillyWindowAllows}).
     * The bound: {@value #SMALL_WINDOW_TRANSFER_BYTES} bytes are 23,172 segments; with about 10%
     * of segments or their ACKs lost, each costing at least a 200 ms timeout, that is 463 s of
     * timeouts alone; 1,600 s allows for backoff and the 40 ms delayed ACKs a window of less
     * than two segments waits for (measured: about 490 s).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cubic", "newreno"})
    void smallReceiveWindowsDoNotStall(String congestionControl) throws Exception {
        transfer(congestionControl, 4 * 1024, SMALL_WINDOW_TRANSFER_BYTES, SMALL_WINDOW_SEED, 1_600_000_000_000L);
    }

    private void transfer(String congestionControl, int receiveBufferBytes, long transferBytes, long seed, long virtualTimeLimitNs)
            throws Exception {
        long wallStartNs = System.nanoTime();
        // Checksums in software on both ends: the link corrupts, and the receiver must notice.
        LoopDevice.Pair pair = LoopDevice.pair(LoopDevice.Options.defaults("hostile").withOffloads(false, false));
        clientDevice = new ImpairedDevice(pair.a(), HOSTILE, HOSTILE, seed, () -> nowNs);
        serverDevice = pair.b();
        assertTrue(!clientDevice.supports(Offload.TX_CHECKSUM) && !serverDevice.supports(Offload.RX_CHECKSUM));
        TcpConfig tcp = TcpConfig.defaults().with(b -> b.congestionControl(congestionControl).receiveBufferBytes(receiveBufferBytes));
        Engine client = new Engine(EngineConfig.of(StackAddresses.of(clientDevice.macAddress(), CLIENT_IP, 24,
                Ipv6Address.UNSPECIFIED, 0)).withTcp(tcp), clientDevice, 0, nowNs);
        Engine server = new Engine(EngineConfig.of(StackAddresses.of(serverDevice.macAddress(), SERVER_IP, 24,
                Ipv6Address.UNSPECIFIED, 0)).withTcp(tcp), serverDevice, 0, nowNs);
        server.defaultHandler((connection, events) -> { });
        TcpListener listener = server.listen(false, PORT, 4);
        TcpConnection sender = client.connect(InetAddress.getByAddress(new byte[] {10, 0, 0, 2}), PORT, null);
        TcpConnection receiver = null;

        MessageDigest sentDigest = MessageDigest.getInstance("SHA-256");
        MessageDigest receivedDigest = MessageDigest.getInstance("SHA-256");
        SplittableRandom data = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK_BYTES];
        byte[] readBuffer = new byte[CHUNK_BYTES];
        int chunkPosition = CHUNK_BYTES;
        int chunkLength = CHUNK_BYTES;
        long generated = 0;
        long sent = 0;
        long received = 0;
        boolean senderClosed = false;
        boolean endOfStream = false;
        long receivedAtLastCheck = 0;
        long nextCheckNs = START_NS + PROGRESS_WINDOW_NS;
        long loops = 0;

        while (!(endOfStream && receiver.state() == TcpState.CLOSED)) {
            if (nowNs - START_NS > virtualTimeLimitNs) {
                throw new AssertionError(congestionControl + ": not done after " + virtualTimeLimitNs / 1e9
                        + " s of virtual time, " + received + " bytes received" + state(client, server, sender, receiver));
            }
            while (nowNs >= nextCheckNs) {
                if (received <= receivedAtLastCheck && received < transferBytes) {
                    throw new AssertionError(congestionControl + ": stalled: no byte delivered between "
                            + (nextCheckNs - PROGRESS_WINDOW_NS - START_NS) / 1e9 + " s and "
                            + (nextCheckNs - START_NS) / 1e9 + " s (virtual), " + received + " bytes received"
                            + state(client, server, sender, receiver));
                }
                receivedAtLastCheck = received;
                nextCheckNs += PROGRESS_WINDOW_NS;
            }
            if (receiver == null) {
                receiver = listener.accept();
            }
            // The sender: fill the send ring from the seeded stream, hashing each chunk as it is made.
            if (!senderClosed && sender.state() == TcpState.ESTABLISHED) {
                while (sent < transferBytes && sender.writableBytes() > 0) {
                    if (chunkPosition == chunkLength) {
                        chunkLength = (int) Math.min(CHUNK_BYTES, transferBytes - generated);
                        fillRandom(data, chunk, chunkLength);
                        sentDigest.update(chunk, 0, chunkLength);
                        generated += chunkLength;
                        chunkPosition = 0;
                    }
                    int written = client.write(sender, chunk, chunkPosition, chunkLength - chunkPosition);
                    chunkPosition += written;
                    sent += written;
                }
                if (sent == transferBytes) {
                    client.close(sender);
                    senderClosed = true;
                }
            }
            // The receiver: hash whatever arrived; close after the end of stream.
            if (receiver != null && !endOfStream && (receiver.readableBytes() > 0 || receiver.isEndOfStream())) {
                int read;
                while ((read = server.read(receiver, readBuffer, 0, readBuffer.length)) > 0) {
                    receivedDigest.update(readBuffer, 0, read);
                    received += read;
                }
                if (read < 0) {
                    endOfStream = true;
                    server.close(receiver);
                }
            }
            int work = client.doWork(nowNs) + server.doWork(nowNs);
            loops++;
            if (work > 0) {
                nowNs += BUSY_STEP_NS;
            } else {
                long next = Math.min(client.nextDeadlineNs(), server.nextDeadlineNs());
                nowNs = Math.max(nowNs + BUSY_STEP_NS, next == Long.MAX_VALUE ? nowNs : next);
            }
        }

        long virtualNs = nowNs - START_NS;
        long wallNs = System.nanoTime() - wallStartNs;
        TcpConnectionInfo info = sender.info();
        assertEquals(transferBytes, received, "bytes received");
        assertArrayEquals(sentDigest.digest(), receivedDigest.digest(), "SHA-256 of the stream, sent and received");
        assertEquals(TcpError.NONE, receiver.error());
        assertTrue(sender.state() == TcpState.TIME_WAIT || sender.state() == TcpState.FIN_WAIT_2
                || sender.state() == TcpState.CLOSED, "sender closing: " + sender.state());

        long corrupted = clientDevice.count(ImpairedDevice.Direction.TRANSMIT, ImpairedDevice.Event.CORRUPTED)
                + clientDevice.count(ImpairedDevice.Direction.RECEIVE, ImpairedDevice.Event.CORRUPTED);
        long checksumDrops = checksumDrops(client) + checksumDrops(server);
        assertTrue(checksumDrops > 0, "corrupted frames were counted as checksum drops: " + client.counters() + " / " + server.counters());
        assertTrue(checksumDrops <= corrupted, checksumDrops + " checksum drops, " + corrupted + " frames corrupted");
        assertTrue(clientDevice.count(ImpairedDevice.Direction.TRANSMIT, ImpairedDevice.Event.REORDERED) > 0);
        assertTrue(clientDevice.count(ImpairedDevice.Direction.RECEIVE, ImpairedDevice.Event.DUPLICATED) > 0);

        System.out.printf("%s, %d KiB receive ring: %d MiB in %.1f s virtual (%.2f MB/s), %d segments retransmitted (%d fast retransmits, "
                        + "%d timeouts, %d bytes), %.1f s wall, %d loops; %d frames corrupted, %d checksum drops%n"
                        + "client %s%nserver %s%n",
                congestionControl, receiveBufferBytes / 1024, transferBytes >> 20, virtualNs / 1e9, transferBytes / (virtualNs / 1e9) / 1e6, info.retransmittedSegments(),
                info.fastRetransmits(), info.retransmissionTimeouts(), info.bytesRetransmitted(), wallNs / 1e9, loops,
                corrupted, checksumDrops, client.counters(), server.counters());
    }

    /** The next {@code length} bytes (a multiple of 8) of the seeded stream; a method of its own so that it compiles early. */
    private static void fillRandom(SplittableRandom random, byte[] chunk, int length) {
        for (int i = 0; i < length; i += Long.BYTES) {
            LONGS.set(chunk, i, random.nextLong());
        }
    }

    private static long checksumDrops(Engine engine) {
        EngineCounters counters = engine.counters();
        return counters.malformed(Malformed.IPV4_BAD_CHECKSUM) + counters.malformed(Malformed.TCP_BAD_CHECKSUM);
    }

    private String state(Engine client, Engine server, TcpConnection sender, TcpConnection receiver) {
        TcpConnectionInfo info = sender.info();
        return "\nsender " + info.state() + " cwnd " + info.congestionWindowBytes() + " ssthresh "
                + info.slowStartThresholdBytes() + " rto " + info.rtoNs() + " in flight " + info.bytesInFlight()
                + " unsent " + info.unsentBytes() + " sendWindow " + info.sendWindowBytes()
                + " retransmitted " + info.retransmittedSegments() + " timeouts " + info.retransmissionTimeouts()
                + (receiver == null ? "" : "\nreceiver " + receiver.state() + " window " + receiver.info().receiveWindowBytes()
                        + " unread " + receiver.info().unreadBytes())
                + "\nclient " + client.counters() + "\nserver " + server.counters();
    }
}
