package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpSimulation.MS;
import static io.mtcp4j.stack.tcp.TcpSimulation.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.tcp.TcpSimulation.LinkProfile;
import io.mtcp4j.stack.tcp.TcpSimulation.Result;
import io.mtcp4j.stack.tcp.TcpSimulation.Scenario;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two connections exchanging data through {@link TcpSimulation}'s lossy, reordering, duplicating
 * network. Every run must deliver every byte exactly once and in order (the simulation compares
 * each byte read with what the peer wrote), close both connections cleanly (CLOSED or TIME_WAIT,
 * no reset, no error), and finish within a bound of simulated time (no stall). Each case runs a
 * few fixed seeds, so a failure reproduces exactly; {@link TcpSimulation#run(Scenario,
 * StringBuilder)} gives its packet trace.
 *
 * <p>Loss applies to both directions, data and ACKs. The bounds are generous multiples of what the
 * runs take today: they catch stalls, not slowness (the goodput snapshot,
 * {@link TcpGoodputSnapshotTest}, watches speed). At 20% loss a quarter-megabyte transfer takes
 * minutes of simulated time: without SACK-based recovery every second loss in a window costs a
 * retransmission timeout, and timeouts back off.
 */
class TcpSimulationTest {
    private static final long[] SEEDS = {1, 2, 3};
    private static final String[] CONGESTION_CONTROLS = {"cubic", "newreno"};
    /** A payload that does not end on a segment boundary. */
    private static final int PAYLOAD_BYTES = 256 * 1024 + 1_000;

    /** What the network does to packets, with the simulated time a run may take at most. */
    enum Impairment {
        NONE(LinkProfile.clean(), 10 * SECOND),
        LOSS_1_PERCENT(LinkProfile.clean().withLoss(0.01), 60 * SECOND),
        LOSS_5_PERCENT(LinkProfile.clean().withLoss(0.05), 300 * SECOND),
        LOSS_20_PERCENT(LinkProfile.clean().withLoss(0.20), 3 * 3600 * SECOND),
        REORDERING(LinkProfile.clean().withReordering(0.05, 8 * MS), 60 * SECOND),
        DUPLICATION(LinkProfile.clean().withDuplication(0.05), 60 * SECOND),
        /** A bottleneck queue of 16 KiB: slow start overflows it, drop-tail losses in bursts. */
        QUEUE_OVERFLOW(LinkProfile.clean().withQueueLimit(16 * 1024), 60 * SECOND),
        COMBINED(LinkProfile.clean().withLoss(0.02).withReordering(0.03, 8 * MS).withDuplication(0.03)
                .withQueueLimit(64 * 1024), 300 * SECOND);

        final LinkProfile link;
        final long timeLimitNs;

        Impairment(LinkProfile link, long timeLimitNs) {
            this.link = link;
            this.timeLimitNs = timeLimitNs;
        }
    }

    // ------------------------------------------------------------------------------ assertions

    /** Runs the scenario and checks the three promises: exact delivery, clean close, no stall. */
    private static Result runAndCheck(Scenario scenario) {
        Result result = TcpSimulation.run(scenario);
        String description = result.describe();
        assertNull(result.failure(), description);
        assertEquals(scenario.clientPayloadBytes(), result.clientToServerBytesRead(), description);
        assertEquals(scenario.serverPayloadBytes(), result.serverToClientBytesRead(), description);
        assertTrue(closedCleanly(result.clientState()), "client ends " + result.clientState() + "\n" + description);
        assertTrue(closedCleanly(result.serverState()), "server ends " + result.serverState() + "\n" + description);
        assertEquals(TcpError.NONE, result.clientError(), description);
        assertEquals(TcpError.NONE, result.serverError(), description);
        assertTrue(result.closeNs() <= scenario.timeLimitNs(), description);
        return result;
    }

    private static boolean closedCleanly(TcpState state) {
        return state == TcpState.CLOSED || state == TcpState.TIME_WAIT;
    }

    private static Scenario scenario(long seed, Impairment impairment, String congestionControl) {
        return Scenario.defaults(seed)
                .withConfig(b -> b.congestionControl(congestionControl))
                .withLinks(impairment.link)
                .withPayloads(PAYLOAD_BYTES, 0)
                .withTimeLimit(impairment.timeLimitNs);
    }

    // ------------------------------------------------------------------------------ impairments

    static Stream<Arguments> impairmentCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String congestionControl : CONGESTION_CONTROLS) {
            for (Impairment impairment : Impairment.values()) {
                for (long seed : SEEDS) {
                    cases.add(Arguments.of(congestionControl, impairment, seed));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, seed {2}")
    @MethodSource("impairmentCases")
    void oneWayTransferArrivesExactly(String congestionControl, Impairment impairment, long seed) {
        Result result = runAndCheck(scenario(seed, impairment, congestionControl));
        // The impairment really happened (else the case proves nothing).
        TcpSimulation.LinkStats forward = result.clientToServer();
        TcpSimulation.LinkStats reverse = result.serverToClient();
        switch (impairment) {
            case NONE -> {
                assertEquals(0, forward.lost() + forward.queueDrops() + reverse.lost() + reverse.queueDrops());
                assertEquals(0, result.client().retransmittedSegments(), "nothing to retransmit on a clean link");
            }
            case LOSS_1_PERCENT, LOSS_5_PERCENT, LOSS_20_PERCENT ->
                    assertTrue(forward.lost() + reverse.lost() > 0, result.describe());
            case REORDERING -> assertTrue(forward.reordered() > 0, result.describe());
            case DUPLICATION -> {
                // A duplicate is trimmed (duplicate bytes), found outside the window, or older than
                // TS.Recent (PAWS): one of them must have met it.
                TcpSimulation.Counters server = result.server();
                assertTrue(forward.duplicated() > 0, result.describe());
                assertTrue(server.duplicateBytesReceived() + server.outOfWindowSegments() + server.pawsRejected() > 0,
                        result.describe());
            }
            case QUEUE_OVERFLOW -> assertTrue(forward.queueDrops() > 0, result.describe());
            case COMBINED -> assertTrue(forward.lost() > 0 && forward.reordered() > 0 && forward.duplicated() > 0,
                    result.describe());
        }
        if (forward.lost() + forward.queueDrops() > 0) {
            assertTrue(result.client().retransmittedSegments() > 0, "losses were repaired by retransmission");
        }
    }

    // ------------------------------------------------------------------------------ buffers

    static Stream<Arguments> bufferCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String congestionControl : CONGESTION_CONTROLS) {
            for (int bufferBytes : new int[] {16 * 1024, 1024 * 1024}) {
                for (long seed : SEEDS) {
                    cases.add(Arguments.of(congestionControl, bufferBytes, seed));
                }
            }
        }
        return cases.stream();
    }

    /** Send and receive buffers of 16 KiB (the window limits) and of 1 MiB (the network limits). */
    @ParameterizedTest(name = "{0}, buffers {1} bytes, seed {2}")
    @MethodSource("bufferCases")
    void smallAndLargeBuffers(String congestionControl, int bufferBytes, long seed) {
        Impairment impairment = Impairment.COMBINED;
        Scenario scenario = scenario(seed, impairment, congestionControl)
                .withConfig(b -> b.sendBufferBytes(bufferBytes).receiveBufferBytes(bufferBytes))
                .withPayloads(1024 * 1024 + 3, 0);
        runAndCheck(scenario);
    }

    // ------------------------------------------------------------------------------ options

    static Stream<Arguments> optionCases() {
        List<Arguments> cases = new ArrayList<>();
        for (int mask = 0; mask < 8; mask++) {
            for (long seed : new long[] {1, 2}) {
                cases.add(Arguments.of((mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0, seed));
            }
        }
        return cases.stream();
    }

    /**
     * Every combination of window scaling, timestamps and SACK, offered by both sides. Without
     * window scaling a 256 KiB buffer advertises at most 64 KiB; without timestamps RTT is timed
     * one segment at a time (Karn).
     */
    @ParameterizedTest(name = "window scaling {0}, timestamps {1}, sack {2}, seed {3}")
    @MethodSource("optionCases")
    void withAndWithoutOptions(boolean windowScaling, boolean timestamps, boolean selectiveAcks, long seed) {
        Scenario scenario = scenario(seed, Impairment.COMBINED, "cubic")
                .withConfig(b -> b.windowScaling(windowScaling).timestamps(timestamps).selectiveAcks(selectiveAcks));
        Result result = runAndCheck(scenario);
        // Negotiated as offered: the timestamp option takes 12 bytes of every segment (RFC 7323).
        assertEquals(timestamps ? 1448 : 1460, result.client().sendMssBytes(), result.describe());
        assertEquals(timestamps ? 1448 : 1460, result.server().sendMssBytes(), result.describe());
    }

    /** Only one side offers the options: nothing is negotiated, and the transfer still works. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void optionsOfferedByOneSideOnly(long seed) {
        Scenario base = scenario(seed, Impairment.COMBINED, "newreno");
        Scenario scenario = new Scenario(base.seed(), base.clientConfig(),
                base.serverConfig().with(b -> b.windowScaling(false).timestamps(false).selectiveAcks(false)),
                base.clientToServer(), base.serverToClient(), base.clientPayloadBytes(), base.serverPayloadBytes(),
                base.readIntervalNs(), base.issNearWrap(), base.timeLimitNs());
        Result result = runAndCheck(scenario);
        assertEquals(1460, result.client().sendMssBytes(), "no timestamps negotiated: " + result.describe());
    }

    static Stream<Long> seeds() {
        return Arrays.stream(SEEDS).boxed();
    }

    // ------------------------------------------------------------------------------ both ways

    static Stream<Arguments> bidirectionalCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String congestionControl : CONGESTION_CONTROLS) {
            for (Impairment impairment : new Impairment[] {Impairment.NONE, Impairment.LOSS_5_PERCENT, Impairment.COMBINED}) {
                for (long seed : SEEDS) {
                    cases.add(Arguments.of(congestionControl, impairment, seed));
                }
            }
        }
        return cases.stream();
    }

    /**
     * Both sides send at once and both shut down when their data is queued: data and ACKs share
     * segments, and the FINs may cross (simultaneous close through CLOSING).
     */
    @ParameterizedTest(name = "{0}, {1}, seed {2}")
    @MethodSource("bidirectionalCases")
    void bothDirectionsArriveExactly(String congestionControl, Impairment impairment, long seed) {
        runAndCheck(scenario(seed, impairment, congestionControl).withPayloads(PAYLOAD_BYTES, 300_000 + (int) seed));
    }

    // ------------------------------------------------------------------------------ edges

    /**
     * A reader that sleeps between reads longer than an RTO, with a 16 KiB receive buffer: the
     * window closes, the sender probes it (RFC 9293 3.8.6.1), and each wake-up reopens it.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void sleepingReaderClosesTheWindow(long seed) {
        Scenario scenario = scenario(seed, Impairment.NONE, "cubic")
                .withConfig(b -> b.receiveBufferBytes(16 * 1024))
                .withPayloads(128 * 1024, 64 * 1024)
                .withReadInterval(1000 * MS)
                .withTimeLimit(120 * SECOND);
        Result result = runAndCheck(scenario);
        assertTrue(result.client().zeroWindowProbes() > 0, result.describe());
        assertEquals(0, result.client().retransmissionTimeouts(), "a closed window is probed, not timed out: " + result.describe());
    }

    /**
     * Both sides send while both readers sleep (in step, every 400 ms) behind receive buffers
     * smaller than a segment, so both windows close and both ends probe each other at once. This
     * run, found by a random sweep of configurations, was an endless ACK war while a probe carried
     * an octet: both probes were taken, and each end's ACKs then fell outside the other's window.
     */
    @Test
    void bothEndsProbeEachOthersClosedWindow() {
        TcpConfig client = TcpConfig.defaults().with(b -> b.mssBytes(8960).sendBufferBytes(65536)
                .receiveBufferBytes(8192).windowScaling(false));
        TcpConfig server = TcpConfig.defaults().with(b -> b.mssBytes(8960).sendBufferBytes(262144)
                .receiveBufferBytes(4096).windowScaling(false).selectiveAcks(false));
        LinkProfile link = new LinkProfile(50 * MS, 5 * MS, 100_000_000 / 8, 8192, 0, 0.02, 101 * MS, 0.02);
        Result result = runAndCheck(new Scenario(1076, client, server, link, link, 355_700, 195_270, 400 * MS, true,
                600 * SECOND));
        assertTrue(result.client().zeroWindowProbes() > 0 && result.server().zeroWindowProbes() > 0, result.describe());
    }

    /** A reader that sleeps briefly: the window shrinks below a segment without closing. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void slowReaderWithSmallWindows(long seed) {
        runAndCheck(scenario(seed, Impairment.COMBINED, "newreno")
                .withConfig(b -> b.receiveBufferBytes(16 * 1024))
                .withReadInterval(30 * MS));
    }

    /** Both initial sequence numbers just below 2^32: every comparison crosses the wrap. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void sequenceNumbersWrap(long seed) {
        runAndCheck(scenario(seed, Impairment.COMBINED, "cubic").withPayloads(PAYLOAD_BYTES, 100_000).withIssNearWrap());
    }

    /** TCP_NODELAY on both sides (no Nagle), with a combined impairment. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void withoutNagle(long seed) {
        runAndCheck(scenario(seed, Impairment.COMBINED, "cubic").withConfig(b -> b.noDelay(true))
                .withPayloads(PAYLOAD_BYTES, 50_000));
    }

    /** A link a hundred times slower than the default (1 Mbit/s), where the queue, not the window, sets the pace. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void slowBottleneck(long seed) {
        LinkProfile slow = Impairment.COMBINED.link.withBandwidth(1_000_000 / 8);
        runAndCheck(scenario(seed, Impairment.COMBINED, "newreno").withLinks(slow).withPayloads(64 * 1024, 16 * 1024));
    }

    // ------------------------------------------------------------------------------ random configurations

    /** 200 seeds; {@code -Dmtcp4j.randomConfigurations=5000} sweeps wider. */
    static Stream<Long> randomConfigurationSeeds() {
        return LongStream.rangeClosed(1, Long.getLong("mtcp4j.randomConfigurations", 200)).boxed();
    }

    /**
     * A random configuration per seed: buffers from 4 KiB to 1 MiB and MSS from 88 to 8960 bytes
     * (each side its own), options offered by one side or both, Nagle on or off, delayed ACK from
     * 1 to 200 ms, reassembly bounded to 1 to 32 ranges, keepalive, short TIME_WAIT, RTO floors
     * down to 1 ms; links from 1 ms to 150 ms one way and 1 Mbit/s to 1 Gbit/s with 8 KiB to
     * 1 MiB of queue, up to 8% loss, reordering and duplication; one or both directions; sleeping
     * readers; sequence numbers wrapping. (The run that once was an ACK war, and one where a
     * retransmission overran the peer's window, came from a wider sweep of a generator like this.)
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("randomConfigurationSeeds")
    void randomConfigurations(long seed) {
        runAndCheck(randomScenario(seed));
    }

    static Scenario randomScenario(long seed) {
        SplittableRandom random = new SplittableRandom(seed * 7919);
        int[] buffers = {4096, 8192, 16384, 65536, 262144, 1 << 20};
        int[] segmentSizes = {88, 536, 1200, 1460, 8960};
        boolean windowScaling = random.nextBoolean();
        boolean timestamps = random.nextBoolean();
        boolean selectiveAcks = random.nextBoolean();
        boolean noDelay = random.nextInt(4) == 0;
        String congestionControl = random.nextBoolean() ? "cubic" : "newreno";
        int ranges = new int[] {1, 2, 4, 32}[random.nextInt(4)];
        long delayedAckNs = new long[] {1, 40, 200}[random.nextInt(3)] * MS;
        boolean keepAlive = random.nextInt(3) == 0;
        long minRtoNs = new long[] {1, 10, 200}[random.nextInt(3)] * MS;
        long timeWaitNs = new long[] {1, 1000, 60000}[random.nextInt(3)] * MS;
        TcpConfig[] configs = new TcpConfig[2];
        for (int side = 0; side < 2; side++) {
            // The server mostly offers what the client offers, sometimes not.
            boolean flip = side == 1 && random.nextInt(4) == 0;
            int sendBuffer = buffers[random.nextInt(buffers.length)];
            int receiveBuffer = buffers[random.nextInt(buffers.length)];
            int mss = segmentSizes[random.nextInt(segmentSizes.length)];
            boolean ws = flip ? !windowScaling : windowScaling;
            boolean ts = side == 1 && random.nextInt(4) == 0 ? !timestamps : timestamps;
            boolean sack = side == 1 && random.nextInt(4) == 0 ? !selectiveAcks : selectiveAcks;
            configs[side] = TcpConfig.defaults().with(b -> b.sendBufferBytes(sendBuffer).receiveBufferBytes(receiveBuffer)
                    .mssBytes(mss).windowScaling(ws).timestamps(ts).selectiveAcks(sack).noDelay(noDelay)
                    .congestionControl(congestionControl).reassemblyMaxRanges(ranges).delayedAckNs(delayedAckNs)
                    .keepAlive(keepAlive).keepAliveIdleNs(3 * SECOND).keepAliveIntervalNs(2 * SECOND)
                    .minRtoNs(minRtoNs).initialRtoNs(Math.max(minRtoNs, 200 * MS)).timeWaitNs(timeWaitNs));
        }
        double loss = new double[] {0, 0.01, 0.03, 0.08}[random.nextInt(4)];
        double reorder = new double[] {0, 0.02, 0.1}[random.nextInt(3)];
        double duplicate = new double[] {0, 0.02, 0.1}[random.nextInt(3)];
        long bandwidth = new long[] {1_000_000, 10_000_000, 100_000_000, 1_000_000_000}[random.nextInt(4)] / 8;
        int queue = new int[] {8 * 1024, 64 * 1024, 1 << 20}[random.nextInt(3)];
        LinkProfile[] links = new LinkProfile[2];
        for (int direction = 0; direction < 2; direction++) {
            long delayNs = new long[] {1, 10, 50, 150}[random.nextInt(4)] * MS;
            double directionLoss = direction == 1 && random.nextInt(3) == 0 ? 0 : loss;
            links[direction] = new LinkProfile(delayNs, delayNs / 10, bandwidth, queue, directionLoss, reorder,
                    2 * delayNs + MS, duplicate);
        }
        int clientBytes = random.nextInt(400_000);
        int serverBytes = random.nextInt(3) == 0 ? 0 : random.nextInt(200_000);
        long readIntervalNs = random.nextInt(4) == 0 ? new long[] {5, 50, 400}[random.nextInt(3)] * MS : 0;
        boolean issNearWrap = random.nextInt(4) == 0;
        return new Scenario(seed, configs[0], configs[1], links[0], links[1], clientBytes, serverBytes, readIntervalNs,
                issNearWrap, 4 * 3600 * SECOND);
    }

    // ------------------------------------------------------------------------------ the simulation itself

    @Test
    void sameSeedGivesTheSameRunCounterForCounter() {
        Scenario scenario = scenario(7, Impairment.COMBINED, "cubic").withPayloads(PAYLOAD_BYTES, 50_000);
        Result first = TcpSimulation.run(scenario);
        Result second = TcpSimulation.run(scenario);
        assertEquals(first, second);
        Result otherSeed = TcpSimulation.run(scenario(8, Impairment.COMBINED, "cubic").withPayloads(PAYLOAD_BYTES, 50_000));
        assertNotEquals(first.clientToServer(), otherSeed.clientToServer(), "another seed draws other impairments");
    }

    @Test
    void cleanLinkTransferTakesAboutTheSerialisationTimePlusSlowStart() {
        // 4 MiB at 100 Mbit/s is 0.34 s on the wire alone; slow start from 10 segments adds a few
        // 21 ms round trips. The queue holds the whole receive window, so nothing is dropped.
        // Far slower means the simulation (or the sender) is broken.
        Result result = runAndCheck(Scenario.defaults(1)
                .withConfig(b -> b.sendBufferBytes(1 << 20).receiveBufferBytes(1 << 20))
                .withLinks(LinkProfile.clean().withQueueLimit(2 << 20))
                .withPayloads(4 << 20, 0));
        assertEquals(0, result.client().retransmittedSegments(), result.describe());
        assertTrue(result.transferNs() > 340 * MS, result.describe());
        assertTrue(result.transferNs() < 1500 * MS, result.describe());
    }

    @Test
    void aSegmentForAClosedConnectionIsReset() {
        // With a 1 ms TIME_WAIT the server's connection is gone before the client's FIN is
        // retransmitted in the lossy runs below; the reset ends the client's LAST_ACK cleanly.
        long resets = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Scenario scenario = scenario(seed, Impairment.LOSS_20_PERCENT, "cubic")
                    .withConfig(b -> b.timeWaitNs(MS))
                    .withPayloads(8 * 1024, 8 * 1024);
            resets += runAndCheck(scenario).closedPortResets();
        }
        assertTrue(resets > 0, "no run had a segment reach a closed connection");
    }
}
