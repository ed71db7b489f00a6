package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_ACK;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_RST;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_SYN;

import io.mtcp4j.stack.wire.Ipv4Address;
import io.mtcp4j.stack.wire.Malformed;
import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpHeader;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Two machines exchanging a byte stream through a simulated network, in simulated time: a client
 * {@link TcpConnection#connect}s, the server {@link TcpConnection#accept}s when the client's SYN
 * arrives, each side writes its payload as fast as its send ring takes it and reads what arrives,
 * and both close. Every read byte is compared with what the other side wrote, so a byte lost,
 * repeated, corrupted or out of order ends the run with a {@link Result#failure()}.
 *
 * <h2>The network</h2>
 * One {@link Link} per direction, impaired as {@link LinkProfile} says: a bottleneck of some
 * bandwidth with a drop-tail queue in front of it (serialisation delay, and losses when the queue
 * overflows), then a one-way propagation delay with jitter that keeps packets in order, random
 * loss, random reordering (a packet held back by an extra delay), random duplication. Segments
 * cross it as bytes: each {@link OutgoingSegment} is written through {@link TcpFlyweight} and
 * {@link io.mtcp4j.stack.wire.TcpOptionsWriter} into a fresh array, and parsed back with the
 * checked {@link TcpFlyweight#wrap} on delivery, so both machines see exactly what a peer on a
 * wire would see. (There is no IP layer and no checksum: the link never corrupts bytes.)
 *
 * <h2>Time and determinism</h2>
 * A discrete-event loop: the next event is the earliest of the next packet delivery and the two
 * connections' {@link TcpConnection#nextDeadlineNs()}. Everything random comes from
 * {@link SplittableRandom}s split from the scenario's seed, and simultaneous deliveries keep the
 * order they were scheduled in, so one seed always gives the same run, counter for counter.
 *
 * <h2>The machines</h2>
 * Applications are driven by the connection's readiness events, as an engine would drive them: on
 * {@link TcpConnection#EVENT_CONNECTED} or {@link TcpConnection#EVENT_WRITABLE} write more, on
 * {@link TcpConnection#EVENT_READABLE} read everything (or, with {@link Scenario#readIntervalNs()},
 * at the reader's next wake-up). The client shuts its output down as soon as its payload is
 * queued; the server shuts down after its payload is queued if it has one, or otherwise once it
 * has read the client's whole stream; each {@link TcpConnection#close}s at end of stream. A
 * connection that fails to raise an event the application waits for shows up as a stall. A
 * segment reaching a machine whose connection is gone is answered with a reset, as the engine's
 * {@link TcpResets} would.
 *
 * <p>A run ends when both applications are done and both connections are CLOSED or in TIME_WAIT,
 * at the first failure (a wrong byte, a reset, a malformed segment), or at the scenario's time
 * limit (a stall). {@link #run(Scenario, StringBuilder)} records a line per packet and timer for
 * reading a failure.
 */
final class TcpSimulation {
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;
    /** Simulated clock at the start (not zero, so nothing depends on time starting at zero). */
    static final long START_NS = 1_000 * SECOND;
    /** IPv4 header bytes added to each segment for the serialisation delay (no IP header is built). */
    static final int IP_HEADER_BYTES = 20;
    /** How many events may happen at one instant before the run is declared a livelock. */
    private static final int MAX_EVENTS_AT_ONE_INSTANT = 100_000;
    /**
     * How many events a run may take in all: a megabyte takes a few thousand, so this many means
     * segments going round without progress (an ACK war) while simulated time still advances.
     */
    private static final long MAX_EVENTS = 2_000_000;

    static final TcpEndpoints CLIENT_ENDPOINTS = TcpEndpoints.ipv4(
            Ipv4Address.parse("192.0.2.1"), 40_000, Ipv4Address.parse("192.0.2.2"), 80);

    /**
     * One direction of the network.
     *
     * @param oneWayDelayNs          propagation delay
     * @param jitterNs               extra delay, uniform in [0, jitter), that never reorders packets
     * @param bandwidthBytesPerSecond bottleneck rate (serialisation delay of each packet)
     * @param queueLimitBytes        bytes the bottleneck queue holds (including the packet being sent); a packet
     *                               that would overflow it is dropped, unless the link is idle
     * @param lossProbability        chance a packet is lost (before the queue)
     * @param reorderProbability     chance a packet is held back by an extra delay, so later ones overtake it
     * @param reorderDelayNs         the largest such extra delay (uniform in [0, reorderDelay))
     * @param duplicateProbability   chance a packet arrives twice (the copy later by up to the larger of
     *                               1 ms and reorderDelayNs, so an old duplicate may arrive after much else)
     */
    record LinkProfile(long oneWayDelayNs, long jitterNs, long bandwidthBytesPerSecond, int queueLimitBytes,
                       double lossProbability, double reorderProbability, long reorderDelayNs,
                       double duplicateProbability) {
        /** 10 ms one way, 1 ms jitter, 100 Mbit/s, 256 KiB queue (about one bandwidth-delay product), no impairment. */
        static LinkProfile clean() {
            return new LinkProfile(10 * MS, 1 * MS, 100_000_000 / 8, 256 * 1024, 0, 0, 5 * MS, 0);
        }

        LinkProfile withLoss(double probability) {
            return new LinkProfile(oneWayDelayNs, jitterNs, bandwidthBytesPerSecond, queueLimitBytes,
                    probability, reorderProbability, reorderDelayNs, duplicateProbability);
        }

        LinkProfile withReordering(double probability, long maxExtraDelayNs) {
            return new LinkProfile(oneWayDelayNs, jitterNs, bandwidthBytesPerSecond, queueLimitBytes,
                    lossProbability, probability, maxExtraDelayNs, duplicateProbability);
        }

        LinkProfile withDuplication(double probability) {
            return new LinkProfile(oneWayDelayNs, jitterNs, bandwidthBytesPerSecond, queueLimitBytes,
                    lossProbability, reorderProbability, reorderDelayNs, probability);
        }

        LinkProfile withQueueLimit(int bytes) {
            return new LinkProfile(oneWayDelayNs, jitterNs, bandwidthBytesPerSecond, bytes,
                    lossProbability, reorderProbability, reorderDelayNs, duplicateProbability);
        }

        LinkProfile withBandwidth(long bytesPerSecond) {
            return new LinkProfile(oneWayDelayNs, jitterNs, bytesPerSecond, queueLimitBytes,
                    lossProbability, reorderProbability, reorderDelayNs, duplicateProbability);
        }

        LinkProfile withDelay(long oneWayNs, long jitter) {
            return new LinkProfile(oneWayNs, jitter, bandwidthBytesPerSecond, queueLimitBytes,
                    lossProbability, reorderProbability, reorderDelayNs, duplicateProbability);
        }
    }

    /**
     * What to simulate.
     *
     * @param seed               seeds every random choice (payloads, ISNs, the links)
     * @param clientConfig       the client connection's settings
     * @param serverConfig       the server connection's settings
     * @param clientToServer     the link from client to server
     * @param serverToClient     the link back
     * @param clientPayloadBytes bytes the client sends
     * @param serverPayloadBytes bytes the server sends (0: a one-way transfer)
     * @param readIntervalNs     how often each application reads (0: as soon as data is readable); a reader
     *                           that sleeps longer than the peer's RTO lets the receive window close and
     *                           makes the peer probe it
     * @param issNearWrap        both initial sequence numbers within 64 KiB below 2^32, so the sequence
     *                           numbers of the transfer wrap around
     * @param timeLimitNs        simulated time after which an unfinished run is a stall
     */
    record Scenario(long seed, TcpConfig clientConfig, TcpConfig serverConfig, LinkProfile clientToServer,
                    LinkProfile serverToClient, int clientPayloadBytes, int serverPayloadBytes,
                    long readIntervalNs, boolean issNearWrap, long timeLimitNs) {
        /** Default configs, clean links, 256 KiB from client to server, read at once, five simulated minutes. */
        static Scenario defaults(long seed) {
            return new Scenario(seed, TcpConfig.defaults(), TcpConfig.defaults(), LinkProfile.clean(),
                    LinkProfile.clean(), 256 * 1024, 0, 0, false, 300 * SECOND);
        }

        /** The same settings changed on both connections. */
        Scenario withConfig(Consumer<TcpConfig.Builder> changes) {
            return new Scenario(seed, clientConfig.with(changes), serverConfig.with(changes), clientToServer,
                    serverToClient, clientPayloadBytes, serverPayloadBytes, readIntervalNs, issNearWrap, timeLimitNs);
        }

        /** The same profile for both directions. */
        Scenario withLinks(LinkProfile profile) {
            return withLinks(profile, profile);
        }

        Scenario withLinks(LinkProfile forward, LinkProfile reverse) {
            return new Scenario(seed, clientConfig, serverConfig, forward, reverse, clientPayloadBytes,
                    serverPayloadBytes, readIntervalNs, issNearWrap, timeLimitNs);
        }

        Scenario withPayloads(int clientBytes, int serverBytes) {
            return new Scenario(seed, clientConfig, serverConfig, clientToServer, serverToClient, clientBytes,
                    serverBytes, readIntervalNs, issNearWrap, timeLimitNs);
        }

        Scenario withReadInterval(long ns) {
            return new Scenario(seed, clientConfig, serverConfig, clientToServer, serverToClient,
                    clientPayloadBytes, serverPayloadBytes, ns, issNearWrap, timeLimitNs);
        }

        Scenario withIssNearWrap() {
            return new Scenario(seed, clientConfig, serverConfig, clientToServer, serverToClient,
                    clientPayloadBytes, serverPayloadBytes, readIntervalNs, true, timeLimitNs);
        }

        Scenario withTimeLimit(long ns) {
            return new Scenario(seed, clientConfig, serverConfig, clientToServer, serverToClient,
                    clientPayloadBytes, serverPayloadBytes, readIntervalNs, issNearWrap, ns);
        }
    }

    /** A connection's counters at the end of a run (from {@link TcpConnectionInfo}). */
    record Counters(long segmentsSent, long segmentsReceived, long bytesSent, long bytesRetransmitted,
                    long retransmittedSegments, long retransmissionTimeouts, long fastRetransmits,
                    long duplicateAcksReceived, long duplicateBytesReceived, long outOfWindowSegments,
                    long reassemblyDrops, long pawsRejected, long challengeAcksSent, long resetsSent,
                    long resetsReceived, long zeroWindowProbes, int sendMssBytes) {
        static Counters of(TcpConnection connection) {
            if (connection == null) {
                return new Counters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            }
            TcpConnectionInfo info = connection.info();
            return new Counters(info.segmentsSent(), info.segmentsReceived(), info.bytesSent(),
                    info.bytesRetransmitted(), info.retransmittedSegments(), info.retransmissionTimeouts(),
                    info.fastRetransmits(), info.duplicateAcksReceived(), info.duplicateBytesReceived(),
                    info.outOfWindowSegments(), info.reassemblyDrops(), info.pawsRejected(),
                    info.challengeAcksSent(), info.resetsSent(), info.resetsReceived(), info.zeroWindowProbes(),
                    info.sendMssBytes());
        }
    }

    /** What one direction of the network did to the packets offered to it. */
    record LinkStats(long offered, long lost, long queueDrops, long reordered, long duplicated, long delivered) {}

    /**
     * The outcome of a run.
     *
     * @param failure                null when both streams arrived exactly and both connections closed cleanly;
     *                               otherwise what went wrong first (stall, wrong byte, reset, ...)
     * @param transferNs             from the client's SYN to the last payload byte read (by either side); -1 if some never arrived
     * @param closeNs                from the client's SYN until both connections were CLOSED or in TIME_WAIT
     * @param clientToServerBytesRead bytes the server's application read (each checked)
     * @param serverToClientBytesRead bytes the client's application read (each checked)
     * @param closedPortResets       resets a machine sent for a segment that reached no connection
     */
    record Result(Scenario scenario, String failure, long transferNs, long closeNs,
                  long clientToServerBytesRead, long serverToClientBytesRead,
                  TcpState clientState, TcpError clientError, TcpState serverState, TcpError serverError,
                  Counters client, Counters server, LinkStats clientToServer, LinkStats serverToClient,
                  long closedPortResets, long events) {
        /** Payload bytes (both directions) per second of transfer time, in bits. */
        double goodputBitsPerSecond() {
            if (transferNs <= 0) {
                return 0;
            }
            return (clientToServerBytesRead + serverToClientBytesRead) * 8.0 * SECOND / Math.max(1, transferNs);
        }

        /** Everything, for a failure message. */
        String describe() {
            return (failure == null ? "ok" : "FAILED: " + failure)
                    + "\n  transfer " + transferNs / MS + " ms, close " + closeNs / MS + " ms, events " + events
                    + ", closed-port resets " + closedPortResets
                    + ", goodput " + String.format(Locale.ROOT, "%.2f", goodputBitsPerSecond() / 1e6) + " Mbit/s"
                    + "\n  read: server " + clientToServerBytesRead + "/" + scenario.clientPayloadBytes()
                    + ", client " + serverToClientBytesRead + "/" + scenario.serverPayloadBytes()
                    + "\n  client " + clientState + " " + clientError + " " + client
                    + "\n  server " + serverState + " " + serverError + " " + server
                    + "\n  link c->s " + clientToServer + "\n  link s->c " + serverToClient
                    + "\n  seed " + scenario.seed() + ", " + scenario.clientConfig().congestionControl()
                    + ", buffers " + scenario.clientConfig().sendBufferBytes() + "/" + scenario.clientConfig().receiveBufferBytes()
                    + ", ws " + scenario.clientConfig().windowScaling() + ", ts " + scenario.clientConfig().timestamps()
                    + ", sack " + scenario.clientConfig().selectiveAcks()
                    + "\n  c->s " + scenario.clientToServer() + "\n  s->c " + scenario.serverToClient();
        }
    }

    // ---------------------------------------------------------------------------------- the run

    private final Scenario scenario;
    private final PriorityQueue<Delivery> deliveries = new PriorityQueue<>();
    private long deliveriesScheduled;
    private long nowNs = START_NS;
    private final Host client;
    private final Host server;
    private final SplittableRandom issRandom;
    private String failure;
    private long events;
    private StringBuilder trace;

    private TcpSimulation(Scenario scenario) {
        this.scenario = scenario;
        SplittableRandom root = new SplittableRandom(scenario.seed());
        byte[] clientPayload = randomBytes(root.split(), scenario.clientPayloadBytes());
        byte[] serverPayload = randomBytes(root.split(), scenario.serverPayloadBytes());
        issRandom = root.split();
        Link forward = new Link(scenario.clientToServer(), root.split());
        Link reverse = new Link(scenario.serverToClient(), root.split());
        client = new Host("client", scenario.clientConfig(), CLIENT_ENDPOINTS, forward, clientPayload, serverPayload, true);
        server = new Host("server", scenario.serverConfig(), CLIENT_ENDPOINTS.reversed(), reverse, serverPayload,
                clientPayload, serverPayload.length > 0);
        forward.destination = server;
        reverse.destination = client;
    }

    /** Runs a scenario to its end: both connections closed, a failure, or the time limit. */
    static Result run(Scenario scenario) {
        return new TcpSimulation(scenario).run();
    }

    /** As {@link #run(Scenario)}, writing one line per packet and timer to {@code trace} (for debugging a failure). */
    static Result run(Scenario scenario, StringBuilder trace) {
        TcpSimulation simulation = new TcpSimulation(scenario);
        simulation.trace = trace;
        return simulation.run();
    }

    private void trace(String what) {
        if (trace != null) {
            trace.append(String.format(Locale.ROOT, "%10.3f ms ", (nowNs - START_NS) / 1e6)).append(what).append('\n');
        }
    }

    private String describeSegment(TcpFlyweight tcp) {
        return TcpHeader.flagsText(tcp.flags()) + " seq " + Integer.toUnsignedString(tcp.sequenceNumber())
                + " ack " + Integer.toUnsignedString(tcp.acknowledgmentNumber()) + " win " + tcp.window()
                + " len " + tcp.payloadLength() + (tcp.options().sackBlockCount() > 0 ? " sack " + tcp.options().sackBlockCount() : "");
    }

    private Result run() {
        client.connection = TcpConnection.connect(client.config, client.endpoints, client.output, nextIss(), nowNs);
        client.step();
        long instant = nowNs;
        int eventsAtInstant = 0;
        while (failure == null && !finished()) {
            long next = Math.min(client.deadlineNs(), server.deadlineNs());
            Delivery delivery = deliveries.peek();
            if (delivery != null) {
                next = Math.min(next, delivery.timeNs);
            }
            if (next == TcpConnection.NO_DEADLINE) {
                failure = "stall: nothing in flight and no timer armed";
                break;
            }
            if (next - START_NS > scenario.timeLimitNs()) {
                failure = "stall: not finished after " + scenario.timeLimitNs() / SECOND + " s of simulated time";
                break;
            }
            if (next < nowNs) {
                failure = "a deadline in the past: " + next + " < " + nowNs;
                break;
            }
            nowNs = next;
            if (nowNs != instant) {
                instant = nowNs;
                eventsAtInstant = 0;
            } else if (++eventsAtInstant > MAX_EVENTS_AT_ONE_INSTANT) {
                failure = "livelock: " + MAX_EVENTS_AT_ONE_INSTANT + " events at one instant";
                break;
            }
            if (++events > MAX_EVENTS) {
                failure = "livelock: " + MAX_EVENTS + " events";
                break;
            }
            if (delivery != null && delivery.timeNs == nowNs) {
                deliveries.poll();
                delivery.destination.receive(delivery.bytes);
            } else if (client.deadlineNs() <= nowNs) {
                client.wake();
            } else {
                server.wake();
            }
            checkErrors();
        }
        long endNs = nowNs - START_NS;
        boolean transferred = server.bytesRead == server.expected.length && client.bytesRead == client.expected.length;
        long transferNs = transferred ? Math.max(client.lastByteReadNs, server.lastByteReadNs) - START_NS : -1;
        return new Result(scenario, failure, transferNs,
                endNs, server.bytesRead, client.bytesRead,
                stateOf(client), errorOf(client), stateOf(server), errorOf(server),
                Counters.of(client.connection), Counters.of(server.connection),
                client.link.stats(), server.link.stats(), client.resetsFromClosedPort + server.resetsFromClosedPort, events);
    }

    private int nextIss() {
        // Near the wrap: within 64 KiB below 2^32, so a transfer of more crosses zero.
        return scenario.issNearWrap() ? -1 - issRandom.nextInt(64 * 1024) : issRandom.nextInt();
    }

    private boolean finished() {
        return client.applicationDone() && server.applicationDone() && client.terminal() && server.terminal();
    }

    private void checkErrors() {
        for (Host host : new Host[] {client, server}) {
            if (failure == null && host.connection != null && host.connection.error() != TcpError.NONE) {
                failure = host.name + " connection closed with " + host.connection.error() + " in state "
                        + host.connection.state();
            }
        }
    }

    private static TcpState stateOf(Host host) {
        return host.connection == null ? null : host.connection.state();
    }

    private static TcpError errorOf(Host host) {
        return host.connection == null ? null : host.connection.error();
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i += 8) {
            long value = random.nextLong();
            for (int j = 0; j < 8 && i + j < length; j++) {
                bytes[i + j] = (byte) (value >>> (8 * j));
            }
        }
        return bytes;
    }

    // --------------------------------------------------------------------------------- machines

    /** One machine: its connection, its application, and the link it sends on. */
    private final class Host {
        final String name;
        final TcpConfig config;
        final TcpEndpoints endpoints;
        final Link link;
        final byte[] payload;
        final byte[] expected;
        /** Shut the output down once the payload is queued (else after reading the peer's stream). */
        final boolean shutdownWhenWritten;
        final TcpFlyweight inbound = new TcpFlyweight();
        final TcpFlyweight outbound = new TcpFlyweight();
        final OutgoingSegment reset = new OutgoingSegment();
        long resetsFromClosedPort;
        final byte[] readBuffer = new byte[64 * 1024];
        TcpConnection connection;
        /** When the sleeping reader reads next (see {@link Scenario#readIntervalNs()}). */
        long readWakeupNs = TcpConnection.NO_DEADLINE;
        long lastReadNs = START_NS;
        int bytesWritten;
        long bytesRead;
        long lastByteReadNs = START_NS;
        boolean endOfStream;
        boolean outputShut;
        boolean closed;
        final TcpOutput output = this::transmitted;

        Host(String name, TcpConfig config, TcpEndpoints endpoints, Link link, byte[] payload, byte[] expected,
             boolean shutdownWhenWritten) {
            this.name = name;
            this.config = config;
            this.endpoints = endpoints;
            this.link = link;
            this.payload = payload;
            this.expected = expected;
            this.shutdownWhenWritten = shutdownWhenWritten;
        }

        /** The earliest of the connection's timers and the application's next read. */
        long deadlineNs() {
            return connection == null ? TcpConnection.NO_DEADLINE : Math.min(connection.nextDeadlineNs(), readWakeupNs);
        }

        boolean applicationDone() {
            return bytesWritten == payload.length && endOfStream && closed;
        }

        boolean terminal() {
            return connection != null
                    && (connection.state() == TcpState.CLOSED || connection.state() == TcpState.TIME_WAIT);
        }

        /** A packet arrives from the link. */
        void receive(byte[] bytes) {
            MemorySegment packet = MemorySegment.ofArray(bytes);
            Malformed malformed = inbound.wrap(packet, 0, bytes.length);
            if (malformed != Malformed.NONE) {
                failure = name + " received a malformed segment: " + malformed;
                return;
            }
            if (connection == null && (inbound.flags() & (FLAG_SYN | FLAG_ACK | FLAG_RST)) == FLAG_SYN) {
                // The listener: the first SYN makes the connection (RFC 9293 3.10.7.2).
                connection = TcpConnection.accept(config, endpoints, output, nextIss(), inbound, nowNs);
            } else if (connection == null || connection.state() == TcpState.CLOSED) {
                // No connection (any more): the engine answers with a reset (RFC 9293 3.10.7.1), which
                // ends a peer still waiting in LAST_ACK after our TIME_WAIT ran out.
                if (TcpResets.replyToClosedPort(inbound, reset)) {
                    resetsFromClosedPort++;
                    trace(name + " resets a segment to a closed port");
                    transmitted(endpoints, reset);
                }
                return;
            } else {
                connection.segmentArrived(nowNs, inbound, packet);
            }
            step();
        }

        /** A deadline passed: the connection's timers, or the sleeping reader's next read. */
        void wake() {
            if (connection.nextDeadlineNs() <= nowNs) {
                trace(name + " timers " + connection.info());
                connection.onTimers(nowNs);
            }
            step();
        }

        /** The application reacts to readiness, then the connection sends what is due. */
        void step() {
            int readiness = connection.takeEvents();
            if ((readiness & (TcpConnection.EVENT_CONNECTED | TcpConnection.EVENT_WRITABLE)) != 0) {
                writeMore();
            }
            long interval = scenario.readIntervalNs();
            if (readWakeupNs <= nowNs) {
                readWakeupNs = TcpConnection.NO_DEADLINE;
                lastReadNs = nowNs;
                readEverything();
            } else if ((readiness & TcpConnection.EVENT_READABLE) != 0) {
                if (interval == 0) {
                    readEverything();
                } else if (readWakeupNs == TcpConnection.NO_DEADLINE) {
                    readWakeupNs = Math.max(nowNs, lastReadNs + interval); // the sleeping reader reads later
                }
            }
            if (!outputShut && bytesWritten == payload.length && connection.state().canSend()
                    && (shutdownWhenWritten || endOfStream)) {
                outputShut = true;
                connection.shutdownOutput();
            }
            if (!closed && outputShut && endOfStream) {
                closed = true;
                connection.close(nowNs);
            }
            connection.transmit(nowNs);
        }

        private void writeMore() {
            while (bytesWritten < payload.length && connection.writableBytes() > 0) {
                int count = connection.write(payload, bytesWritten, payload.length - bytesWritten);
                if (count == 0) {
                    break;
                }
                bytesWritten += count;
            }
        }

        /** Reads everything readable, checking each byte against what the peer wrote. */
        private void readEverything() {
            while (failure == null) {
                int count = connection.read(readBuffer, 0, readBuffer.length);
                if (count < 0) {
                    if (bytesRead != expected.length) {
                        failure = name + " saw end of stream after " + bytesRead + " of " + expected.length + " bytes";
                    }
                    endOfStream = true;
                    return;
                }
                if (count == 0) {
                    return;
                }
                if (bytesRead + count > expected.length) {
                    failure = name + " read " + (bytesRead + count) + " bytes, more than the " + expected.length + " sent";
                    return;
                }
                int mismatch = Arrays.mismatch(readBuffer, 0, count, expected, (int) bytesRead, (int) bytesRead + count);
                if (mismatch >= 0) {
                    failure = name + " read a wrong byte at stream offset " + (bytesRead + mismatch);
                    return;
                }
                bytesRead += count;
                if (bytesRead == expected.length) {
                    lastByteReadNs = nowNs;
                }
            }
        }

        /** The connection's output: the segment as bytes onto the link. */
        private boolean transmitted(TcpConnection from, OutgoingSegment segment) {
            return transmitted(from.endpoints(), segment);
        }

        private boolean transmitted(TcpEndpoints endpoints, OutgoingSegment segment) {
            int headerLength = TcpFlyweight.MIN_HEADER_LENGTH + segment.options().length();
            byte[] bytes = new byte[headerLength + segment.payloadLength()];
            MemorySegment memory = MemorySegment.ofArray(bytes);
            TcpFlyweight tcp = outbound.wrapForWrite(memory, 0)
                    .sourcePort(endpoints.localPort())
                    .destinationPort(endpoints.remotePort())
                    .sequenceNumber(segment.sequenceNumber())
                    .acknowledgmentNumber(segment.acknowledgmentNumber())
                    .flags(segment.flags())
                    .window(segment.window())
                    .checksum(0)
                    .urgentPointer(0);
            int optionsLength = segment.options().writeTo(tcp);
            if (TcpFlyweight.MIN_HEADER_LENGTH + optionsLength != headerLength) {
                failure = name + " options wrote " + optionsLength + " bytes, announced " + segment.options().length();
            }
            segment.copyPayloadTo(memory, headerLength);
            link.offer(bytes);
            return true;
        }
    }

    // ------------------------------------------------------------------------------------ links

    /** A packet due at a machine; ties keep the order of scheduling. */
    private record Delivery(long timeNs, long order, Host destination, byte[] bytes) implements Comparable<Delivery> {
        @Override
        public int compareTo(Delivery other) {
            int byTime = Long.compare(timeNs, other.timeNs);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    /** One direction: drop-tail queue, bottleneck, propagation delay and the random impairments. */
    private final class Link {
        final LinkProfile profile;
        final SplittableRandom random;
        Host destination;
        /** Serialisation end times and sizes of the packets queued or being sent. */
        final ArrayDeque<long[]> queue = new ArrayDeque<>();
        long queuedBytes;
        long busyUntilNs;
        /** Latest in-order delivery time, so that jitter never reorders. */
        long lastDeliveryNs;
        long offered, lost, queueDrops, reordered, duplicated, delivered;

        Link(LinkProfile profile, SplittableRandom random) {
            this.profile = profile;
            this.random = random;
        }

        void offer(byte[] bytes) {
            // The same draws for every packet, whatever happens to it, so that changing one
            // probability leaves the other choices of the run as they were.
            double lossDraw = random.nextDouble();
            double jitterDraw = random.nextDouble();
            double reorderDraw = random.nextDouble();
            double reorderDelayDraw = random.nextDouble();
            double duplicateDraw = random.nextDouble();
            double duplicateDelayDraw = random.nextDouble();
            offered++;
            if (trace != null) {
                TcpFlyweight view = new TcpFlyweight();
                view.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
                trace((destination == client ? "server -> " : "client -> ") + describeSegment(view)
                        + (lossDraw < profile.lossProbability() ? " LOST" : ""));
            }
            if (lossDraw < profile.lossProbability()) {
                lost++;
                return;
            }
            while (!queue.isEmpty() && queue.peekFirst()[0] <= nowNs) {
                queuedBytes -= queue.pollFirst()[1];
            }
            int wireBytes = bytes.length + IP_HEADER_BYTES;
            if (queuedBytes > 0 && queuedBytes + wireBytes > profile.queueLimitBytes()) { // an idle link takes any packet
                queueDrops++;
                return;
            }
            long serialisationNs = wireBytes * SECOND / profile.bandwidthBytesPerSecond();
            long sentNs = Math.max(nowNs, busyUntilNs) + serialisationNs;
            busyUntilNs = sentNs;
            queue.addLast(new long[] {sentNs, wireBytes});
            queuedBytes += wireBytes;
            long arrivalNs = sentNs + profile.oneWayDelayNs() + (long) (jitterDraw * profile.jitterNs());
            arrivalNs = Math.max(arrivalNs, lastDeliveryNs);
            lastDeliveryNs = arrivalNs;
            if (reorderDraw < profile.reorderProbability()) {
                reordered++;
                arrivalNs += 1 + (long) (reorderDelayDraw * profile.reorderDelayNs());
            }
            schedule(arrivalNs, bytes);
            if (duplicateDraw < profile.duplicateProbability()) {
                duplicated++;
                schedule(arrivalNs + (long) (duplicateDelayDraw * Math.max(MS, profile.reorderDelayNs())), bytes);
            }
        }

        private void schedule(long timeNs, byte[] bytes) {
            delivered++;
            deliveries.add(new Delivery(timeNs, deliveriesScheduled++, destination, bytes));
        }

        LinkStats stats() {
            return new LinkStats(offered, lost, queueDrops, reordered, duplicated, delivered);
        }
    }
}
