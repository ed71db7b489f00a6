package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_ACK;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_FIN;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_PSH;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_RST;
import static io.mtcp4j.stack.wire.TcpFlyweight.FLAG_SYN;

import io.mtcp4j.stack.wire.TcpFlyweight;
import io.mtcp4j.stack.wire.TcpOptions;
import io.mtcp4j.stack.wire.TcpOptionsWriter;
import java.lang.foreign.MemorySegment;

/**
 * One TCP connection's control block: the state machine of RFC 9293 with the companions that a
 * modern peer expects (RFC 7323 window scaling, timestamps and PAWS; RFC 2018 SACK, generated
 * and used; RFC 6298 retransmission timer; RFC 5681 congestion control; loss recovery by RFC 6675
 * with RFC 6937 proportional rate reduction when SACK was negotiated, by RFC 6582 NewReno when not;
 * RFC 1191/8201 path MTU changes; RFC 5961 challenge ACKs).
 *
 * <h2>A pure machine</h2>
 * Nothing here reads a clock, starts a thread or does I/O. Four kinds of input drive it, each
 * carrying the time as {@code nowNs}:
 * <ul>
 *   <li>{@link #segmentArrived}: a parsed segment for this connection;</li>
 *   <li>{@link #onTimers}: called when {@link #nextDeadlineNs()} has passed;</li>
 *   <li>application calls: {@link #write}, {@link #read}, {@link #shutdownOutput}, {@link #close},
 *       {@link #abort};</li>
 *   <li>{@link #transmit}: emit everything that is due (control, then ACK, then data segments,
 *       in mTCP's order) through the {@link TcpOutput}.</li>
 * </ul>
 * Input handlers only change state and mark what must be sent; {@link #transmit} sends it. An
 * engine feeds a whole receive burst to its connections and then calls {@code transmit} once per
 * marked connection, so one ACK answers many segments (mTCP's flow-level aggregation); a test
 * calls {@code segmentArrived} and {@code transmit} and compares what came out with the RFC.
 *
 * <p>Readiness for the application accumulates in {@link #takeEvents()} bits, published by the
 * engine once per loop.
 *
 * <h2>Rings</h2>
 * The send and receive rings come from the {@link RingAllocator} the connection was opened with
 * (its engine's {@link RingPool}; {@link RingAllocator#unpooled()} by default) and go back to it
 * as soon as neither the engine nor the application will touch them again, so that a connection
 * in TIME_WAIT after {@link #close} holds no ring and costs only this control block:
 * <ul>
 *   <li>the send ring when the connection can never send again: the output is shut down and
 *       everything, our FIN included, is acknowledged; or CLOSED;</li>
 *   <li>the receive ring when the application will not read again: {@link #close} or
 *       {@link #abort}; or CLOSED with no unread bytes. A connection that reached CLOSED with
 *       unread bytes (a RST after data, as Linux keeps such data readable) keeps its receive ring
 *       until the application has read them or closes.</li>
 * </ul>
 * With each ring go the structures that describe it: the SACK scoreboard with the send ring, the
 * reassembly queue with the receive ring. A pooled ring brings them along to its next owner, so
 * that opening a connection allocates only the control block (about 1.3 KB), and what a
 * TIME_WAIT connection keeps for the GC to trace is about a kilobyte (Linux keeps a small
 * timewait socket for the same reason).
 * Once a ring is gone the accessors answer as for an empty one: {@link #readableBytes()} and
 * {@link #writableBytes()} are 0, {@link #info()} shows no unread or unsent bytes. After
 * {@code close()} the receive ring was empty (close with unread bytes aborts), and any new data
 * from the peer is answered with RST before it would need the ring; the window we advertise
 * stays the empty ring's. In this version the application calls a connection on its engine's
 * thread, so "will not touch again" is known exactly; when applications get threads of their
 * own, a ring must still go back only after the application side has let go of it.
 *
 * <h2>Sequence space and rings</h2>
 * Sequence numbers are raw {@code int}s compared with {@link SeqNum}. The send ring's stream
 * offset 0 is sequence number ISS + 1 (the first data byte after our SYN); the receive ring's is
 * IRS + 1. {@code sndMax} is the highest sequence number ever sent: after a retransmission
 * timeout SND.NXT goes back to SND.UNA (go-back-N) while ACKs up to {@code sndMax} stay
 * acceptable.
 *
 * <h2>Choices where the RFCs leave one (Linux's, unless said)</h2>
 * <ul>
 *   <li>ACK every second full-sized segment, otherwise after {@link TcpConfig#delayedAckNs()};
 *       immediately for out-of-order data, data that fills a hole, a FIN, and a window update.
 *       PSH does not force an ACK.</li>
 *   <li>A segment without a timestamp on a connection that negotiated them is accepted (Linux);
 *       RFC 7323 3.2 says SHOULD drop.</li>
 *   <li>The urgent pointer is ignored: urgent data is delivered inline, as with SO_OOBINLINE.</li>
 *   <li>close() with unread received data, or new text arriving after close(), aborts with RST
 *       (RFC 9293 3.6 and RFC 1122 4.2.2.13 permit it; Linux does).</li>
 *   <li>Zero-window probes are Linux's: SEG.SEQ = SND.UNA - 1 without data, not a new octet
 *       (see {@code persistTimeout}).</li>
 * </ul>
 *
 * <h2>Loss recovery with SACK (RFC 6675)</h2>
 * Every acceptable ACK updates the {@link SackScoreboard}. Loss is declared as RFC 6675 section 5
 * says: DupThresh (3) ACKs that brought new SACK information, or IsLost(SND.UNA); ACKs without new
 * SACK information are no signal once SACK is negotiated. The choices:
 * <ul>
 *   <li>Limited Transmit (step 1.c) is not a separate rule: outside recovery cwnd is compared with
 *       pipe rather than the flight, and SACKed data has left the pipe.</li>
 *   <li>ssthresh is taken from the flight at the start of recovery, but no more than cwnd, so the
 *       Limited Transmit segments do not count (step 4.2's note).</li>
 *   <li>Proportional rate reduction (RFC 6937, the slow start reduction bound, as Linux) paces
 *       step C by default ({@link TcpConfig#proportionalRateReduction()}); without it, step C
 *       sends while cwnd - pipe allows a segment.</li>
 *   <li>The rescue retransmission (NextSeg rule 4) is sent only when it lies between HighRxt and
 *       RecoveryPoint (see {@code nextRecoverySegment()}).</li>
 *   <li>Recovery ends when RecoveryPoint is acknowledged, with {@link CongestionControl#onExitRecovery}
 *       (cwnd = ssthresh unless so little is in flight that it would burst).</li>
 *   <li>A retransmission timeout ends recovery, clears the scoreboard (RFC 2018 section 8: the
 *       peer may have reneged), and goes back to SND.UNA; the SACK blocks of later ACKs are
 *       recorded again, and go-back-N steps over the ranges they report (RFC 6675 section 5.1).
 *       Until SND.UNA passes SND.MAX of the timeout, the data beyond SND.NXT counts as lost.</li>
 *   <li>D-SACK blocks (RFC 2883) are counted and have no other effect (no undo, no reordering
 *       adaptation).</li>
 *   <li>Not done: RACK-TLP (RFC 8985). A lost retransmission waits for the timeout.</li>
 * </ul>
 */
public final class TcpConnection {
    /** A deadline that never comes. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Event bit: the handshake completed (connect finished, or a passive connection is ready to accept). */
    public static final int EVENT_CONNECTED = 1;
    /** Event bit: new data, end of stream, or an error to report to a reader. */
    public static final int EVENT_READABLE = 1 << 1;
    /** Event bit: send ring space freed. */
    public static final int EVENT_WRITABLE = 1 << 2;
    /** Event bit: the connection reached CLOSED (see {@link #error()}). */
    public static final int EVENT_CLOSED = 1 << 3;

    private static final long NS_PER_MS = 1_000_000L;
    private static final long NS_PER_SECOND = 1_000_000_000L;
    /**
     * RFC 5681 3.2: fast retransmit on the third duplicate ACK; RFC 6675's DupThresh, the same 3,
     * counts ACKs that bring new SACK information.
     */
    private static final int DUPLICATE_ACK_THRESHOLD = SackScoreboard.DEFAULT_DUP_THRESH;
    /** The Timestamps option as we add it to every segment (10 bytes and 2 of padding), which the MSS does not include. */
    private static final int TIMESTAMP_OPTION_BYTES = 12;
    /**
     * The least data per segment we ever send, whatever the peer's MSS option or a path MTU
     * message says: a peer or a forged ICMP message must not make us send the stream a few bytes
     * at a time (Linux's tcp_min_snd_mss is 48 for the same reason).
     */
    private static final int MIN_SEND_MSS_BYTES = 64;

    private TcpConfig config;
    private final TcpEndpoints endpoints;
    private final TcpOutput output;
    private final OutgoingSegment out = new OutgoingSegment();
    /** Where the rings came from and go back to. */
    private final RingAllocator rings;
    /** The send ring; null once given back (see "Rings" in the class comment). */
    private ByteRing sendRing;
    /** The receive ring; null once given back. */
    private ByteRing receiveRing;
    /** The receive ring's capacity, which the window and the receiver's SWS threshold are measured by. */
    private final int receiveCapacityBytes;
    /** Which ranges past RCV.NXT the receive ring holds; goes with the receive ring. */
    private ReassemblyQueue reassembly;
    private final RttEstimator rtt;
    private final CongestionControl congestion;
    /** The SACK blocks an outgoing segment reports; goes with the receive ring. */
    private int[] sackEdges = new int[2 * TcpOptions.MAX_SACK_BLOCKS];
    /**
     * What the peer has SACKed of our data (RFC 6675 scoreboard), used when SACK was negotiated;
     * goes with the send ring.
     */
    private SackScoreboard scoreboard;
    /**
     * The SACK blocks of the ACK being processed, copied out of its options for
     * {@link SackScoreboard#update}; goes with the send ring.
     */
    private int[] receivedSackEdges = new int[2 * TcpOptions.MAX_SACK_BLOCKS];
    private final TcpConnectionInfo info = new TcpConnectionInfo();

    /** The listener a passive connection came from, told when it establishes or closes; null for active opens. */
    private TcpListener listener;

    private TcpState state = TcpState.CLOSED;
    private TcpError error = TcpError.NONE;
    private boolean passiveOpen;
    private int events;

    // Send sequence space (RFC 9293 3.3.1).
    private int iss;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int maxSndWnd;
    private int sndWindowShift;
    /** Our MSS for data we send, after option negotiation and without the timestamp option's bytes. */
    private int sendMss;
    /** min(peer's MSS option, our configured MSS): the most {@link #sendMss} may be (before the timestamp option). */
    private int negotiatedMssBytes;
    /** The MSS the path allows, from {@link #pathMtuChanged} (before the timestamp option); unlimited until told. */
    private int pathMssBytes = Integer.MAX_VALUE;
    private boolean finQueued;
    private boolean finSent;
    /** Valid when {@link #finSent}: the sequence number our FIN occupies. */
    private int finSeq;
    private boolean outputShut;

    // Receive sequence space.
    private int irs;
    private int rcvNxt;
    /** The right edge of the window we last advertised; never moves left (RFC 9293 3.8.6). */
    private int rcvAdvertisedEdge;
    private int rcvWindowShift;
    private boolean finReceived;
    /** A FIN that arrived ahead of a hole: its sequence number, processed when RCV.NXT reaches it. */
    private boolean remoteFinPending;
    private int remoteFinSeq;
    private boolean applicationClosed;
    /** The last ICMP error reported for an open connection: the reason given if it then times out (RFC 1122 4.2.3.9). */
    private TcpError softError = TcpError.NONE;
    /** The application uses the rings on its own thread: they stay until {@link #unpinRings()}. */
    private boolean ringsPinned;

    // Negotiated options.
    private boolean windowScaling;
    private boolean timestampsEnabled;
    private boolean sackEnabled;
    private int timestampOffset;
    private int tsRecent;
    private int lastAckSent;

    // What transmit() owes.
    private boolean synDue;
    private boolean ackDue;
    private boolean rstDue;
    private int rstSeq;
    /** In-order bytes received since our last ACK, for ACK-every-second-full-segment. */
    private int unackedReceivedBytes;
    private boolean retransmitFirstDue;

    // Timers, absolute nanoseconds.
    private long retransmitDeadlineNs = NO_DEADLINE;
    private long delayedAckDeadlineNs = NO_DEADLINE;
    private long persistDeadlineNs = NO_DEADLINE;
    private long keepAliveDeadlineNs = NO_DEADLINE;
    private long closeDeadlineNs = NO_DEADLINE;
    private int retransmitCount;
    private int persistBackoff;
    private int keepAliveProbesSent;
    private long lastReceiveNs;
    private long lastSendNs;

    // RTT timing without timestamps (Karn: one segment at a time, never a retransmitted one).
    private boolean rttTiming;
    private int rttSeq;
    private long rttStartNs;

    // Loss recovery (RFC 5681 3.2, RFC 6582 without SACK; RFC 6675 with it).
    /** Without SACK, RFC 5681 duplicate ACKs; with SACK, RFC 6675 section 2 "DupAcks" (ACKs with new SACK information). */
    private int duplicateAcks;
    private boolean inRecovery;
    /**
     * RFC 6582 "recover", RFC 6675 "RecoveryPoint" (as an exclusive edge: HighData + 1 when the
     * recovery or timeout began). While SND.UNA is before it no new fast recovery starts; once
     * SND.UNA passes it, it follows SND.UNA, so that it never falls 2^31 behind and reads as
     * "ahead" again.
     */
    private int recoveryPoint;
    private int recoveryInflationBytes;
    /** RFC 6675 HighRxt + 1: the end of the highest segment retransmitted in this recovery by NextSeg rules (1) and (3). */
    private int highRxtEnd;
    /** RFC 6675 RescueRxt + 1: rule (4) may fire once SND.UNA is past it. */
    private int rescueRxtEnd;
    // Proportional rate reduction (RFC 6937) during RFC 6675 recovery.
    /** RFC 6937 prr_delivered: bytes the peer received (cumulatively or by SACK) since recovery began. */
    private long prrDeliveredBytes;
    /** RFC 6937 prr_out: bytes sent since recovery began. */
    private long prrOutBytes;
    /** RFC 6937 RecoverFS: the flight when recovery began. */
    private int recoveryFlightBytes;
    /** RFC 6937 sndcnt of the last ACK, less what was sent since: what recovery may still send now. */
    private long prrSendQuotaBytes;

    // RFC 5961 7 challenge ACK throttle.
    private long challengeWindowStartNs;
    private int challengeAcksInWindow;

    private TcpConnection(TcpConfig config, TcpEndpoints endpoints, TcpOutput output, RingAllocator rings) {
        this.config = config;
        this.endpoints = endpoints;
        this.output = output;
        this.rings = rings;
        this.sendRing = rings.allocate(config.sendBufferBytes());
        this.receiveRing = rings.allocate(config.receiveBufferBytes());
        this.receiveCapacityBytes = config.receiveBufferBytes();
        this.scoreboard = scoreboardOf(sendRing);
        this.reassembly = reassemblyOf(receiveRing, config);
        this.rtt = new RttEstimator(config.initialRtoNs(), config.minRtoNs(), config.maxRtoNs(), NS_PER_MS);
        this.congestion = CongestionControl.create(config.congestionControl());
    }

    /** The send ring's scoreboard: made with the ring's first owner, brought along by a pooled ring (reset in initSend). */
    private static SackScoreboard scoreboardOf(ByteRing ring) {
        SackScoreboard scoreboard = ring.scoreboard;
        if (scoreboard == null) {
            scoreboard = new SackScoreboard();
            ring.scoreboard = scoreboard;
        }
        return scoreboard;
    }

    /** The receive ring's reassembly queue, likewise (made again if this configuration sizes it differently). */
    private static ReassemblyQueue reassemblyOf(ByteRing ring, TcpConfig config) {
        ReassemblyQueue queue = ring.reassembly;
        if (queue == null || queue.maxRanges() != config.reassemblyMaxRanges()
                || queue.limitBytes() != config.receiveBufferBytes()) {
            queue = new ReassemblyQueue(config.reassemblyMaxRanges(), config.receiveBufferBytes());
            ring.reassembly = queue;
        }
        queue.reset(0); // initReceive sets RCV.NXT once the peer's ISN is known
        return queue;
    }

    // ------------------------------------------------------------------------------------ opens

    /** {@link #connect(TcpConfig, TcpEndpoints, TcpOutput, RingAllocator, int, long)} with rings of its own. */
    public static TcpConnection connect(TcpConfig config, TcpEndpoints endpoints, TcpOutput output, int iss,
                                        long nowNs) {
        return connect(config, endpoints, output, RingAllocator.unpooled(), iss, nowNs);
    }

    /**
     * Active open (RFC 9293 3.10.1): a connection in SYN_SENT with its SYN due.
     *
     * @param rings where its send and receive rings come from and go back to
     * @param iss   initial send sequence number ({@link InitialSequenceNumbers})
     */
    public static TcpConnection connect(TcpConfig config, TcpEndpoints endpoints, TcpOutput output, RingAllocator rings,
                                        int iss, long nowNs) {
        TcpConnection connection = new TcpConnection(config, endpoints, output, rings);
        connection.initSend(iss, nowNs);
        connection.rcvWindowShift = config.receiveWindowShift();
        connection.state = TcpState.SYN_SENT;
        connection.synDue = true;
        return connection;
    }

    /** {@link #accept(TcpConfig, TcpEndpoints, TcpOutput, RingAllocator, int, TcpFlyweight, long)} with rings of its own. */
    public static TcpConnection accept(TcpConfig config, TcpEndpoints endpoints, TcpOutput output, int iss,
                                       TcpFlyweight syn, long nowNs) {
        return accept(config, endpoints, output, RingAllocator.unpooled(), iss, syn, nowNs);
    }

    /**
     * Passive open from a SYN that a listener accepted (RFC 9293 3.10.7.2): a connection in
     * SYN_RECEIVED with its SYN-ACK due. The SYN's options decide which we use: window scaling,
     * timestamps and SACK only if the SYN offered them.
     *
     * @param rings where its send and receive rings come from and go back to
     * @param syn   the wrapped SYN segment (its options parsed)
     */
    public static TcpConnection accept(TcpConfig config, TcpEndpoints endpoints, TcpOutput output, RingAllocator rings,
                                       int iss, TcpFlyweight syn, long nowNs) {
        TcpConnection connection = new TcpConnection(config, endpoints, output, rings);
        connection.passiveOpen = true;
        connection.initSend(iss, nowNs);
        connection.initReceive(syn.sequenceNumber());
        connection.negotiate(syn.options());
        connection.sndWnd = syn.window(); // never scaled in a SYN (RFC 7323 2.2)
        connection.maxSndWnd = connection.sndWnd;
        connection.sndWl1 = syn.sequenceNumber();
        connection.sndWl2 = iss;
        if (connection.timestampsEnabled) {
            connection.tsRecent = syn.options().timestampValue();
        }
        connection.lastReceiveNs = nowNs;
        connection.state = TcpState.SYN_RECEIVED;
        connection.synDue = true;
        return connection;
    }

    /**
     * Passive open completed by a SYN cookie (RFC 4987 3.6): the ACK that returned a valid cookie
     * creates the connection directly in ESTABLISHED with the options the cookie carried, then
     * the ACK itself (and any data on it) is processed.
     *
     * @param rings where its send and receive rings come from and go back to
     * @param iss the cookie (our SYN-ACK's sequence number)
     * @param timestampOffset the timestamp clock offset the cookie's SYN-ACK was sent with
     * @param ack the handshake's final ACK, wrapped with its options parsed
     */
    public static TcpConnection acceptCookie(TcpConfig config, TcpEndpoints endpoints, TcpOutput output,
                                             RingAllocator rings, int iss,
                                             int peerMssBytes, int peerWindowScale, boolean sackPermitted,
                                             boolean timestamps, int timestampOffset, TcpFlyweight ack,
                                             MemorySegment payload, long nowNs) {
        TcpConnection connection = new TcpConnection(config, endpoints, output, rings);
        connection.passiveOpen = true;
        connection.initSend(iss, nowNs);
        connection.timestampOffset = timestampOffset; // the one the cookie's SYN-ACK used
        connection.initReceive(ack.sequenceNumber() - 1);
        connection.windowScaling = config.windowScaling() && peerWindowScale >= 0;
        connection.sndWindowShift = connection.windowScaling ? Math.min(peerWindowScale, TcpOptions.MAX_WINDOW_SCALE) : 0;
        connection.rcvWindowShift = connection.windowScaling ? config.receiveWindowShift() : 0;
        connection.timestampsEnabled = config.timestamps() && timestamps && ack.options().hasTimestamps();
        connection.sackEnabled = config.selectiveAcks() && sackPermitted;
        connection.negotiatedMssBytes = Math.min(peerMssBytes, config.mssBytes());
        connection.sendMss = connection.effectiveSendMss();
        connection.congestion.onMssChange(connection.sendMss);
        if (connection.timestampsEnabled) {
            connection.tsRecent = ack.options().timestampValue();
        }
        // The SYN-ACK advertised min(65535, free) unscaled; take that as the edge already offered.
        connection.rcvAdvertisedEdge = connection.rcvNxt + Math.min(0xffff, connection.receiveRing.freeBytes());
        connection.sndNxt = iss + 1;
        connection.sndMax = iss + 1;
        connection.sndWl1 = ack.sequenceNumber() - 1;
        connection.sndWl2 = iss;
        connection.state = TcpState.SYN_RECEIVED;
        connection.segmentArrived(nowNs, ack, payload);
        return connection;
    }

    /**
     * The default timestamp clock offset of a connection with this ISS (so TSval does not expose
     * uptime); an engine replaces it with a per-address-pair offset ({@link #timestampOffset(int)}).
     */
    static int defaultTimestampOffset(int iss) {
        return iss * 0x9e3779b9;
    }

    /** Our timestamp clock (RFC 7323 5.4: 1 ms ticks) with the given offset. */
    static int timestampValue(int offset, long nowNs) {
        return (int) (nowNs / NS_PER_MS) + offset;
    }

    /**
     * Sets the offset of this connection's timestamp clock, normally
     * {@link InitialSequenceNumbers#timestampOffset} of its address pair, so that successive
     * connections between two hosts carry increasing timestamps (RFC 6191 reuse of TIME_WAIT).
     * Only before the first segment is sent: timestamps must never jump within a connection.
     *
     * @throws IllegalStateException once a segment has been sent
     */
    public void timestampOffset(int offset) {
        if (info.segmentsSent != 0) {
            throw new IllegalStateException("the timestamp clock is fixed once a segment has been sent");
        }
        timestampOffset = offset;
    }

    void listener(TcpListener listener) {
        this.listener = listener;
    }

    private void initSend(int iss, long nowNs) {
        this.iss = iss;
        sndUna = iss;
        sndNxt = iss;
        sndMax = iss;
        recoveryPoint = iss; // RFC 6582 3.2 step 1: "recover" starts at the ISS, not at 0 (half the ISNs would be "before" 0)
        timestampOffset = defaultTimestampOffset(iss);
        negotiatedMssBytes = config.defaultPeerMssBytes();
        sendMss = config.defaultPeerMssBytes();
        scoreboard.reset(iss);
        congestion.init(Math.min(config.mssBytes(), config.defaultPeerMssBytes()), nowNs);
        lastSendNs = nowNs;
        lastReceiveNs = nowNs;
    }

    private void initReceive(int peerIsn) {
        irs = peerIsn;
        rcvNxt = peerIsn + 1;
        reassembly.reset(rcvNxt);
        rcvAdvertisedEdge = rcvNxt;
        lastAckSent = rcvNxt;
    }

    /** Applies the options of the peer's SYN (or SYN-ACK), given what we offered. */
    private void negotiate(TcpOptions options) {
        int peerMss = options.hasMss() ? options.mss() : config.defaultPeerMssBytes();
        windowScaling = config.windowScaling() && options.hasWindowScale();
        if (windowScaling) {
            sndWindowShift = Math.min(options.windowScale(), TcpOptions.MAX_WINDOW_SCALE); // RFC 7323 2.3
            rcvWindowShift = config.receiveWindowShift();
        } else {
            sndWindowShift = 0;
            rcvWindowShift = 0;
        }
        timestampsEnabled = config.timestamps() && options.hasTimestamps();
        sackEnabled = config.selectiveAcks() && options.sackPermitted();
        // RFC 9293 3.7.1 / RFC 6691: the MSS excludes options; subtract the timestamp option we add to every segment.
        negotiatedMssBytes = Math.min(peerMss, config.mssBytes());
        sendMss = effectiveSendMss();
        congestion.onMssChange(sendMss);
    }

    /**
     * The data bytes per segment: the negotiated MSS or the path's, whichever is less, without the
     * timestamp option we add to every segment (RFC 9293 3.7.1, RFC 6691), never below
     * {@link #MIN_SEND_MSS_BYTES}.
     */
    private int effectiveSendMss() {
        int mss = Math.min(negotiatedMssBytes, pathMssBytes) - (timestampsEnabled ? TIMESTAMP_OPTION_BYTES : 0);
        return Math.max(MIN_SEND_MSS_BYTES, mss);
    }

    // ------------------------------------------------------------------------------- accessors

    public TcpState state() {
        return state;
    }

    public TcpError error() {
        return error;
    }

    public TcpEndpoints endpoints() {
        return endpoints;
    }

    public TcpConfig config() {
        return config;
    }

    /** SND.UNA: the oldest sequence number not yet acknowledged (for checking ICMP errors, RFC 5927). */
    public int sendUnacknowledged() {
        return sndUna;
    }

    /** The sequence number after the highest one ever sent (SND.NXT before any go-back-N). */
    public int sendMax() {
        return sndMax;
    }

    /** Returns and clears the readiness bits gathered since the last call. */
    public int takeEvents() {
        int taken = events;
        events = 0;
        return taken;
    }

    /** The earliest time {@link #onTimers} has work, or {@link #NO_DEADLINE}. */
    public long nextDeadlineNs() {
        long next = Math.min(retransmitDeadlineNs, delayedAckDeadlineNs);
        next = Math.min(next, persistDeadlineNs);
        next = Math.min(next, keepAliveDeadlineNs);
        return Math.min(next, closeDeadlineNs);
    }

    /** Whether {@link #transmit} has something to send now. */
    public boolean hasOutputDue() {
        return synDue || ackDue || rstDue || retransmitFirstDue || dataSendable() || finSendable() || recoverySendable();
    }

    /** Bytes the application can read now. */
    public int readableBytes() {
        ByteRing ring = receiveRing;
        return ring == null ? 0 : ring.size();
    }

    /** Whether the peer's FIN has been received and every byte before it read. */
    public boolean isEndOfStream() {
        return finReceived && readableBytes() == 0;
    }

    /** Bytes the application can write now. */
    public int writableBytes() {
        ByteRing ring = sendRing;
        return state.canSend() && !outputShut && ring != null ? ring.freeBytes() : 0;
    }

    /** Per-connection state and counters, refreshed on each call; the returned holder is reused. */
    public TcpConnectionInfo info() {
        info.state = state;
        info.congestionWindowBytes = congestion.cwndBytes();
        info.slowStartThresholdBytes = congestion.ssthreshBytes();
        info.smoothedRttNs = rtt.srttNs();
        info.rttVarianceNs = rtt.rttvarNs();
        info.rtoNs = rtt.rtoNs();
        info.sendMssBytes = sendMss;
        info.sendWindowBytes = sndWnd;
        info.receiveWindowBytes = advertisedWindowBytes();
        info.bytesInFlight = flightBytes();
        info.unsentBytes = unsentBytes();
        info.unreadBytes = readableBytes();
        if (scoreboard != null) { // else the counts it had when it went
            info.dsackBlocksReceived = scoreboard.dsackBlockCount();
            info.sackBlocksIgnored = scoreboard.invalidBlockCount();
        }
        return info;
    }

    // -------------------------------------------------------------------------- application side

    /**
     * Queues bytes to send (the send ring); returns how many fit.
     *
     * @throws IllegalStateException when the connection can no longer send (not open, or output shut down)
     */
    public int write(byte[] source, int offset, int length) {
        checkCanWrite();
        return sendRing.append(source, offset, length);
    }

    /** As {@link #write(byte[], int, int)} from a memory segment. */
    public int write(MemorySegment source, long offset, int length) {
        checkCanWrite();
        return sendRing.append(source, offset, length);
    }

    private void checkCanWrite() {
        if (outputShut || !(state.canSend() || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED)) {
            throw new IllegalStateException("cannot write in state " + state + (outputShut ? " after shutdown" : ""));
        }
    }

    /**
     * Reads received bytes; a window update becomes due when reading opened the window enough.
     *
     * @return bytes read, 0 when none are available yet, -1 at end of stream
     */
    public int read(byte[] destination, int offset, int length) {
        ByteRing ring = receiveRing;
        int count = ring == null ? 0 : ring.read(destination, offset, length);
        if (count == 0) {
            return isEndOfStream() ? -1 : 0;
        }
        afterRead();
        return count;
    }

    /** As {@link #read(byte[], int, int)} into a memory segment. */
    public int read(MemorySegment destination, long offset, int length) {
        ByteRing ring = receiveRing;
        int count = ring == null ? 0 : ring.read(destination, offset, length);
        if (count == 0) {
            return isEndOfStream() ? -1 : 0;
        }
        afterRead();
        return count;
    }

    /**
     * The application read from {@link #receiveRing()} on its own thread: a window update becomes
     * due when reading opened the window enough. Engine thread (the stack API forwards the read as
     * a notice).
     */
    public void applicationRead() {
        afterRead();
    }

    /** Whether the peer's FIN has arrived (every byte before it is in the receive ring or was read). */
    public boolean finReceived() {
        return finReceived;
    }

    /**
     * The receive ring. The engine produces into it; the application may consume from it on its
     * own thread ({@link ByteRing} is single-producer single-consumer) and then tells the engine
     * through {@link #applicationRead()}.
     */
    public ByteRing receiveRing() {
        return receiveRing;
    }

    /**
     * The send ring. The application may produce into it on its own thread and then tell the
     * engine, which sends from it and consumes acknowledged bytes.
     */
    public ByteRing sendRing() {
        return sendRing;
    }

    /**
     * The application will read and write the rings on its own thread (the stack API keeps
     * references to them): from now on they stay with this connection, whatever its state, until
     * {@link #unpinRings()}; otherwise a ring given back in CLOSED could be handed to another
     * connection while the application still copies into or out of it. Engine thread.
     */
    public void pinRings() {
        ringsPinned = true;
    }

    /**
     * The application closed or aborted and will touch the rings no more: each goes back as soon
     * as this connection no longer needs it (at once in CLOSED; the send ring once our FIN is
     * acknowledged; the receive ring now, since nothing will read it). Engine thread, after
     * {@link #close} or {@link #abort}.
     */
    public void unpinRings() {
        ringsPinned = false;
        if (state == TcpState.CLOSED) {
            releaseSendRing();
            releaseReceiveRing();
            return;
        }
        if (sendRing != null && finAcked()) {
            releaseSendRing();
        }
        if (applicationClosed) {
            releaseReceiveRing();
        }
    }

    /** TCP_NODELAY: turns Nagle's algorithm off (true) or on for data queued from now on. */
    public void noDelay(boolean noDelay) {
        if (config.noDelay() != noDelay) {
            config = config.with(b -> b.noDelay(noDelay));
        }
    }

    /** SO_KEEPALIVE: starts or stops keepalive probing (RFC 9293 3.8.4) with the configured timings. */
    public void keepAlive(long nowNs, boolean keepAlive) {
        if (config.keepAlive() == keepAlive) {
            return;
        }
        config = config.with(b -> b.keepAlive(keepAlive));
        if (!keepAlive) {
            keepAliveDeadlineNs = NO_DEADLINE;
        } else if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            startKeepAlive(nowNs);
        }
    }

    private void afterRead() {
        if (state == TcpState.CLOSED) {
            if (receiveRing.isEmpty()) {
                releaseReceiveRing(); // the last bytes a closed connection held: nothing more will come
            }
            return;
        }
        // Linux's rule (tcp_cleanup_rbuf): announce the opened window when it at least doubles
        // and passes the receiver's silly-window threshold (RFC 9293 3.8.6.2.2).
        if (!state.canReceive() && state != TcpState.CLOSE_WAIT) {
            return;
        }
        int current = advertisedWindowBytes();
        int possible = receiveRing.freeBytes();
        if (possible >= 2 * Math.max(current, 1) && possible - current >= swsThresholdBytes()) {
            ackDue = true;
        }
    }

    /** Half-close (RFC 9293 3.10.4 for our direction): a FIN follows the queued data. */
    public void shutdownOutput() {
        if (outputShut) {
            return;
        }
        outputShut = true;
        switch (state) {
            case SYN_SENT, CLOSED, LISTEN -> enterClosed(TcpError.NONE); // nothing to say to the peer yet
            case SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> finQueued = true;
            default -> { }
        }
    }

    /**
     * CLOSE (RFC 9293 3.10.4): the application is done with both directions. Unread received
     * data turns the close into an abort (RST), as Linux does, so the peer learns its data was
     * lost.
     */
    public void close(long nowNs) {
        applicationClosed = true;
        if (readableBytes() > 0 && state.isSynchronized()) {
            abort(nowNs);
            return;
        }
        if (state == TcpState.FIN_WAIT_2 && closeDeadlineNs == NO_DEADLINE) {
            // Closed after a half-close (Linux tcp_close): an orphan now, it waits for the peer's FIN
            // no longer than finWait2TimeoutNs, as if the FIN's ACK had come after close().
            closeDeadlineNs = nowNs + config.finWait2TimeoutNs();
        }
        shutdownOutput();
        releaseReceiveRing(); // empty, and the application will not read again
    }

    /** ABORT (RFC 9293 3.10.5; SO_LINGER 0): RST to the peer if synchronized, then CLOSED. */
    public void abort(long nowNs) {
        if (state == TcpState.SYN_RECEIVED || state.isSynchronized()) {
            if (state != TcpState.TIME_WAIT) {
                rstDue = true;
                rstSeq = sndNxt;
            }
        }
        enterClosed(TcpError.ABORTED);
        releaseReceiveRing(); // unread bytes are discarded: the application will not read again
    }

    // ----------------------------------------------------------------------------- ICMP errors

    /**
     * An ICMP "destination unreachable" for this connection, already checked against the window
     * (RFC 5927), with the error it means ({@link TcpError#CONNECTION_REFUSED} for port
     * unreachable, {@link TcpError#HOST_UNREACHABLE}, {@link TcpError#NETWORK_UNREACHABLE}).
     * In SYN_SENT the connect fails at once, as Linux does for any unreachable answer to a SYN;
     * later it is a soft error (RFC 1122 4.2.3.9): kept, and given as the reason if the
     * connection then times out, instead of a bare timeout.
     */
    public void icmpUnreachable(TcpError error) {
        if (error == TcpError.NONE) {
            return;
        }
        if (state == TcpState.SYN_SENT) {
            enterClosed(error);
        } else if (state != TcpState.CLOSED) {
            softError = error;
        }
    }

    // --------------------------------------------------------------------------------- path MTU

    /**
     * The path MTU changed (RFC 1191 for IPv4, RFC 8201 for IPv6): the engine calls this for a
     * "fragmentation needed" or "packet too big" message that quotes a sequence number in flight
     * (see {@code IcmpErrorReport}), and may call it with a larger value when it raises a stale
     * estimate again (RFC 1191 6.3).
     *
     * <p>The MSS we send becomes the least of the MSS negotiated in the handshake and
     * {@code mssBytes}, less the timestamp option, and never less than 64 bytes: a forged message
     * must not shrink the flow to a trickle (the IP layer already refuses MTUs below its floor).
     * It never rises above the negotiated MSS. The congestion control hears of the change
     * ({@link CongestionControl#onMssChange}); cwnd and ssthresh keep their size in bytes.
     *
     * <p>Segments are cut from the send ring when sent, so unsent data and every later
     * retransmission use the new size at once. Data in flight was cut to the old size and the
     * path dropped what was too big; as Linux's tcp_simple_retransmit does, it is sent again at
     * once rather than after a timeout, and with no congestion response (the path lost packets
     * because they were too big, not because it was congested). We do not remember where the old
     * segments began, so the whole flight goes again from SND.UNA (go-back-N, with SACKed ranges
     * stepped over and the retransmission timer restarted), which also resends the few segments
     * that were small enough; recovery in progress ends, and duplicate ACKs for the holes the
     * drops left start no fast retransmit until SND.UNA passes SND.MAX (the recovery point).
     *
     * @param mssBytes the MSS the path allows: its MTU less the IP header and a TCP header without options
     * @throws IllegalArgumentException if {@code mssBytes} is not positive
     */
    public void pathMtuChanged(long nowNs, int mssBytes) {
        if (mssBytes <= 0) {
            throw new IllegalArgumentException("path MSS must be positive: " + mssBytes);
        }
        pathMssBytes = mssBytes;
        int previousMss = sendMss;
        int newMss = effectiveSendMss();
        if (newMss == previousMss) {
            return;
        }
        sendMss = newMss;
        congestion.onMssChange(newMss);
        if (newMss > previousMss || !state.isSynchronized() || flightBytes() <= newMss) {
            return; // nothing in flight can have been too big
        }
        info.pathMtuRetransmissions++;
        inRecovery = false;
        recoveryInflationBytes = 0;
        retransmitFirstDue = false;
        duplicateAcks = 0;
        recoveryPoint = sndMax;
        highRxtEnd = sndUna;
        rescueRxtEnd = sndUna;
        rttTiming = false; // Karn: what follows is retransmitted
        sndNxt = sndUna;
        if (finSent && !finAcked()) {
            finSent = false;
        }
        skipSackedData();
        retransmitDeadlineNs = nowNs + rtt.rtoNs(); // RFC 6298 5.3: the oldest data goes again now
    }

    // ----------------------------------------------------------------------------- segment input

    /**
     * Processes one segment for this connection (RFC 9293 3.10.7, SEGMENT ARRIVES).
     *
     * @param tcp     the segment, wrapped with its options parsed
     * @param payload the memory the segment's payload lies in ({@code tcp.payloadOffset()},
     *                {@code tcp.payloadLength()})
     */
    public void segmentArrived(long nowNs, TcpFlyweight tcp, MemorySegment payload) {
        info.segmentsReceived++;
        switch (state) {
            case CLOSED, LISTEN -> { } // the engine answers segments to closed ports (TcpResets)
            case SYN_SENT -> synSentArrived(nowNs, tcp, payload);
            default -> synchronizedArrived(nowNs, tcp, payload);
        }
    }

    /** RFC 9293 3.10.7.3. */
    private void synSentArrived(long nowNs, TcpFlyweight tcp, MemorySegment payload) {
        int flags = tcp.flags();
        boolean hasAck = (flags & FLAG_ACK) != 0;
        int ack = tcp.acknowledgmentNumber();
        // First: check the ACK bit.
        if (hasAck && (SeqNum.le(ack, iss) || SeqNum.gt(ack, sndMax))) {
            if ((flags & FLAG_RST) == 0) {
                queueReset(ack);
            }
            return;
        }
        boolean ackAcceptable = hasAck; // SND.UNA < SEG.ACK <= SND.NXT holds after the check above
        // Second: the RST bit. RFC 5961 3.2 leaves SYN-SENT as RFC 793 had it: acceptable only with an acceptable ACK.
        if ((flags & FLAG_RST) != 0) {
            if (ackAcceptable) {
                enterClosed(TcpError.CONNECTION_REFUSED);
            }
            return;
        }
        // Fourth: the SYN bit (the third, security, does not apply).
        if ((flags & FLAG_SYN) == 0) {
            return;
        }
        initReceive(tcp.sequenceNumber());
        negotiate(tcp.options());
        if (timestampsEnabled) {
            tsRecent = tcp.options().timestampValue();
        }
        lastReceiveNs = nowNs;
        if (ackAcceptable) {
            sndUna = ack;
            scoreboard.reset(sndUna);
            synDue = false;
            sampleHandshakeRtt(nowNs, tcp);
            updateWindow(tcp, true);
            state = TcpState.ESTABLISHED;
            events |= EVENT_CONNECTED | EVENT_WRITABLE;
            stopRetransmitTimer();
            retransmitCount = 0;
            startKeepAlive(nowNs);
            ackDue = true;
            // Data or FIN on the SYN-ACK: continue at the sixth step.
            receiveText(nowNs, tcp, payload, tcp.sequenceNumber() + 1, (int) tcp.payloadLength());
            if ((flags & FLAG_FIN) != 0) {
                receiveFin(nowNs, tcp.sequenceNumber() + 1 + (int) tcp.payloadLength());
            }
        } else {
            // Simultaneous open: SYN-RECEIVED, and SYN-ACK with our ISS (RFC 9293 3.10.7.3, figure 7).
            sndWnd = tcp.window();
            maxSndWnd = sndWnd;
            sndWl1 = tcp.sequenceNumber();
            sndWl2 = sndUna;
            state = TcpState.SYN_RECEIVED;
            sndNxt = iss;
            synDue = true;
        }
    }

    /** RFC 9293 3.10.7.4, "Otherwise", for SYN-RECEIVED and every synchronized state. */
    private void synchronizedArrived(long nowNs, TcpFlyweight tcp, MemorySegment payload) {
        int flags = tcp.flags();
        int seq = tcp.sequenceNumber();
        int payloadLength = (int) tcp.payloadLength();
        int segmentLength = payloadLength + ((flags & FLAG_SYN) != 0 ? 1 : 0) + ((flags & FLAG_FIN) != 0 ? 1 : 0);
        TcpOptions options = tcp.options();
        boolean hasTimestamp = timestampsEnabled && options.hasTimestamps();

        if (state == TcpState.SYN_RECEIVED && passiveOpen && (flags & (FLAG_SYN | FLAG_ACK | FLAG_RST)) == FLAG_SYN
                && seq == irs) {
            // The peer sent its SYN again, so our SYN-ACK was lost: send it again (as Linux does).
            // RFC 7323 4.3: its TSval is newer and SEG.SEQ <= Last.ACK.sent, so it becomes
            // TS.Recent; the SYN-ACK then echoes the SYN that got through, and the peer's first
            // RTT sample does not include its SYN timeout (a 1 s sample would inflate RTO for long).
            if (hasTimestamp && SeqNum.ge(options.timestampValue(), tsRecent)) {
                tsRecent = options.timestampValue();
            }
            synDue = true;
            return;
        }

        // RFC 7323 5.3 R1: PAWS, before the sequence check.
        if (hasTimestamp && (flags & FLAG_RST) == 0 && SeqNum.lt(options.timestampValue(), tsRecent)) {
            info.pawsRejected++;
            ackDue = true;
            return;
        }

        // First: the sequence number (RFC 9293 3.10.7.4, the four cases).
        int rcvWnd = advertisedWindowBytes();
        boolean acceptable;
        if (segmentLength == 0) {
            acceptable = rcvWnd == 0 ? seq == rcvNxt : SeqNum.inWindow(seq, rcvNxt, rcvWnd);
        } else {
            acceptable = rcvWnd != 0
                    && (SeqNum.inWindow(seq, rcvNxt, rcvWnd) || SeqNum.inWindow(seq + segmentLength - 1, rcvNxt, rcvWnd));
        }
        if (!acceptable) {
            // A zero window still takes valid ACKs and RSTs at RCV.NXT (RFC 9293 3.10.7.4).
            boolean zeroWindowAck = rcvWnd == 0 && seq == rcvNxt;
            if (state == TcpState.TIME_WAIT && (flags & FLAG_FIN) != 0 && seq + segmentLength == rcvNxt) {
                // RFC 9293 3.10.7.4 eighth: a retransmission of the peer's FIN; ACK it and restart 2 MSL.
                ackDue = true;
                closeDeadlineNs = nowNs + config.timeWaitNs();
                return;
            }
            if (!zeroWindowAck) {
                if ((flags & FLAG_RST) == 0) {
                    info.outOfWindowSegments++;
                    ackDue = true;
                    // A retransmission reaching up to our last ACK: that ACK was lost. Take its
                    // TSval (RFC 7323 4.3 rule: newer, SEG.SEQ <= Last.ACK.sent) so that the ACK we
                    // now send dates this retransmission, as Linux does (tcp_sequence accepts
                    // end_seq >= rcv_wup). Echoing the older TS.Recent instead would give the
                    // sender an RTT sample spanning the whole loss episode, and at high loss its
                    // RTO would grow to minutes.
                    if (hasTimestamp && segmentLength > 0 && SeqNum.ge(seq + segmentLength, lastAckSent)
                            && SeqNum.ge(options.timestampValue(), tsRecent)) {
                        tsRecent = options.timestampValue();
                    }
                }
                return;
            }
            if (segmentLength > 0 && (flags & FLAG_RST) == 0) {
                // Text or FIN at a zero window is still unacceptable and must be acknowledged: a
                // zero-window probe lives on this answer (RFC 9293 3.8.6.1).
                info.outOfWindowSegments++;
                ackDue = true;
            }
            payloadLength = 0; // process the ACK part only
            flags &= ~FLAG_FIN;
            if (segmentLength > 0 && (flags & FLAG_RST) == 0) {
                // The text is still unacceptable, so it gets an ACK (RFC 9293 3.10.7.4): this is
                // how a zero-window probe learns the window (RFC 1122 4.2.2.17).
                ackDue = true;
            }
        }

        // Second: the RST bit (RFC 5961 3.2).
        if ((flags & FLAG_RST) != 0) {
            if (seq == rcvNxt) {
                resetReceived();
            } else {
                challengeAck(nowNs);
            }
            return;
        }

        // Fourth: the SYN bit (RFC 5961 4.2; RFC 9293 3.10.7.4).
        if ((flags & FLAG_SYN) != 0) {
            if (state == TcpState.SYN_RECEIVED && passiveOpen) {
                // RFC 9293 3.10.7.4 fourth: a passive SYN-RECEIVED "returns to LISTEN": the embryonic
                // connection is dropped without a word (the listener answers the peer's next SYN).
                enterClosed(TcpError.CONNECTION_RESET);
                return;
            }
            challengeAck(nowNs);
            return;
        }

        // Fifth: the ACK bit.
        if ((flags & FLAG_ACK) == 0) {
            return;
        }
        lastReceiveNs = nowNs;
        keepAliveProbesSent = 0;
        if (keepAliveDeadlineNs != NO_DEADLINE) {
            keepAliveDeadlineNs = nowNs + config.keepAliveIdleNs();
        }
        int ack = tcp.acknowledgmentNumber();
        if (state == TcpState.SYN_RECEIVED) {
            if (SeqNum.lt(sndUna, ack) && SeqNum.le(ack, sndMax)) {
                state = TcpState.ESTABLISHED;
                synDue = false;
                sndUna = iss + 1;
                scoreboard.reset(sndUna);
                sampleHandshakeRtt(nowNs, tcp);
                updateWindow(tcp, false);
                sndWl1 = seq;
                sndWl2 = ack;
                stopRetransmitTimer();
                retransmitCount = 0;
                events |= EVENT_CONNECTED | EVENT_WRITABLE;
                startKeepAlive(nowNs);
                if (listener != null) {
                    listener.childEstablished(this);
                }
            } else {
                queueReset(ack);
                return;
            }
        }
        if (!processAck(nowNs, tcp, seq, ack, payloadLength)) {
            return;
        }
        if (state == TcpState.CLOSED) {
            return; // LAST-ACK completed
        }

        // RFC 7323 4.3: remember the timestamp of a segment that covers Last.ACK.sent.
        if (hasTimestamp && SeqNum.le(seq, lastAckSent) && SeqNum.ge(options.timestampValue(), tsRecent)) {
            tsRecent = options.timestampValue();
        }

        // Sixth (URG) is ignored. Seventh: segment text.
        if (payloadLength > 0) {
            if (state.canReceive() && applicationClosed && SeqNum.gt(seq + payloadLength, rcvNxt)) {
                // RFC 1122 4.2.2.13 (Linux: TCPAbortOnData): new text after CLOSE has no reader; a
                // RST tells the peer it was lost, as close() with unread data does.
                abort(nowNs);
                return;
            }
            if (state.canReceive()) {
                receiveText(nowNs, tcp, payload, seq, payloadLength);
            } else {
                // After the peer's FIN nothing more can come: RFC 9293 says ignore the text.
                info.outOfWindowSegments++;
            }
        }

        // Eighth: the FIN bit.
        if ((flags & FLAG_FIN) != 0) {
            receiveFin(nowNs, seq + payloadLength);
        }
    }

    /**
     * The ACK processing of RFC 9293 3.10.7.4 fifth step, with RFC 5961 5.2's acceptability test.
     *
     * @return false when the segment is to be dropped
     */
    private boolean processAck(long nowNs, TcpFlyweight tcp, int seq, int ack, int payloadLength) {
        // RFC 5961 5.2: acceptable if SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT.
        if (SeqNum.gt(ack, sndMax)) {
            ackDue = true; // ACK of something not yet sent: send an ACK, drop the segment
            return false;
        }
        if (SeqNum.lt(ack, sndUna - Math.max(maxSndWnd, 1))) {
            challengeAck(nowNs);
            return false;
        }
        // RFC 9293 3.10.7.4 fifth: an old ACK (SEG.ACK < SND.UNA) is ignored, the window included
        // (the update rule requires SND.UNA =< SEG.ACK; Linux: old_ack in tcp_ack).
        boolean oldAck = SeqNum.lt(ack, sndUna);
        if (sendRing == null) {
            // Everything, our FIN included, was acknowledged (SND.UNA = SND.MAX): nothing to account.
        } else if (sackEnabled) {
            sackAckReceived(nowNs, tcp, ack, payloadLength);
        } else if (SeqNum.gt(ack, sndUna)) {
            newDataAcked(nowNs, tcp, ack);
        } else if (ack == sndUna && isDuplicateAck(tcp, payloadLength)) {
            duplicateAckReceived(nowNs);
        }
        if (!oldAck) {
            updateWindow(tcp, false);
        }
        if (sendRing != null && finAcked()) {
            releaseSendRing(); // output shut and everything acknowledged: nothing will be sent from it again
        }

        switch (state) {
            case FIN_WAIT_1 -> {
                if (finAcked()) {
                    state = TcpState.FIN_WAIT_2;
                    if (applicationClosed) {
                        closeDeadlineNs = nowNs + config.finWait2TimeoutNs();
                    }
                }
            }
            case CLOSING -> {
                if (finAcked()) {
                    enterTimeWait(nowNs);
                }
            }
            case LAST_ACK -> {
                if (finAcked()) {
                    enterClosed(TcpError.NONE);
                    return true;
                }
            }
            case TIME_WAIT -> {
                // Only a retransmitted FIN can arrive here: acknowledge it and restart 2 MSL.
                if ((tcp.flags() & FLAG_FIN) != 0) {
                    ackDue = true;
                    closeDeadlineNs = nowNs + config.timeWaitNs();
                }
                return false;
            }
            default -> { }
        }
        return true;
    }

    private boolean finAcked() {
        return finSent && SeqNum.gt(sndUna, finSeq);
    }

    /** RFC 5681 2: a duplicate ACK carries no data, does not move the window, and data is outstanding. */
    private boolean isDuplicateAck(TcpFlyweight tcp, int payloadLength) {
        return payloadLength == 0
                && (tcp.flags() & (FLAG_SYN | FLAG_FIN)) == 0
                && sndMax != sndUna
                && sndWnd != 0 // answers to zero-window probes signal no loss
                && scaledWindow(tcp) == sndWnd;
    }

    private void newDataAcked(long nowNs, TcpFlyweight tcp, int ack) {
        int ackedSequence = ack - sndUna;
        // Data bytes acknowledged: the sequence advance minus our FIN, if this ACK covers it. A
        // timeout clears finSent for go-back-N, but the FIN keeps its number once sent (the states
        // below are entered only by sending it), and an ACK of the original transmission covers it.
        boolean coversFin = finNumbered() && SeqNum.gt(ack, finSeq);
        if (coversFin) {
            finSent = true; // it arrived: nothing to send again
        }
        int ackedData = ackedSequence - (coversFin ? 1 : 0);
        int freed = sendRing.release(sendRing.head() + ackedData);
        sndUna = ack;
        if (SeqNum.lt(sndNxt, sndUna)) {
            sndNxt = sndUna; // after go-back-N, an ACK for data sent before the timeout
        }
        info.bytesAcked += freed;
        if (freed > 0 && state.canSend() && !outputShut) {
            events |= EVENT_WRITABLE;
        }
        long rttNs = sampleRtt(nowNs, tcp, ack);

        if (inRecovery) {
            if (SeqNum.ge(ack, recoveryPoint)) {
                // RFC 6582 3.2 step 3, full acknowledgment, and RFC 6675 section 5 (A): leave
                // recovery with cwnd = ssthresh (less, if so little is in flight that it would burst).
                inRecovery = false;
                recoveryInflationBytes = 0;
                congestion.onExitRecovery(nowNs, flightBytes());
            } else if (!sackEnabled) {
                // Partial acknowledgment: retransmit the next hole, deflate by what was acknowledged, and
                // add back one SMSS only if at least one SMSS was acknowledged (RFC 6582 3.2 step 5).
                retransmitFirstDue = true;
                recoveryInflationBytes = Math.max(0, recoveryInflationBytes - ackedData)
                        + (ackedData >= sendMss ? sendMss : 0);
            }
        } else {
            congestion.onAck(nowNs, ackedData, rttNs, false, isApplicationLimited());
        }
        if (!inRecovery && SeqNum.gt(ack, recoveryPoint)) {
            recoveryPoint = ack; // see the field: it follows SND.UNA once passed
        }
        duplicateAcks = 0;
        retransmitCount = 0;
        persistBackoff = 0;
        // RFC 6298 5.2/5.3: stop the timer when everything is acknowledged, else restart it.
        if (sndUna == sndMax) {
            stopRetransmitTimer();
        } else {
            retransmitDeadlineNs = nowNs + rtt.rtoNs();
        }
    }

    private void duplicateAckReceived(long nowNs) {
        info.duplicateAcksReceived++;
        duplicateAcks++;
        if (inRecovery) {
            recoveryInflationBytes += sendMss; // RFC 6582 3.2 step 4 (RFC 5681 3.2 step 4)
            return;
        }
        // RFC 6582 3.2 step 2: enter recovery only for losses after the last recovery.
        if (duplicateAcks == DUPLICATE_ACK_THRESHOLD && SeqNum.gt(sndUna, recoveryPoint - 1)) {
            inRecovery = true;
            recoveryPoint = sndMax;
            congestion.onEnterRecovery(nowNs, flightBytes());
            recoveryInflationBytes = DUPLICATE_ACK_THRESHOLD * sendMss;
            retransmitFirstDue = true;
            info.fastRetransmits++;
        }
    }

    /**
     * ACK processing with SACK (RFC 6675 sections 4 and 5). Every acceptable ACK goes through
     * Update(); one that SACKs octets not SACKed before is a "DupAck" (section 2), whatever else it
     * does. Outside recovery, DupThresh DupAcks or IsLost(SND.UNA) start it (section 5, steps 1-4);
     * inside, the ACK's delivered bytes feed proportional rate reduction (step B and RFC 6937).
     * RFC 5681 duplicate ACKs only count in {@link TcpConnectionInfo#duplicateAcksReceived()}: with
     * SACK negotiated, an ACK without new SACK information says nothing about loss.
     */
    private void sackAckReceived(long nowNs, TcpFlyweight tcp, int ack, int payloadLength) {
        TcpOptions options = tcp.options();
        int blocks = options.sackBlockCount();
        info.sackBlocksReceived += blocks;
        for (int i = 0; i < blocks; i++) {
            receivedSackEdges[2 * i] = options.sackLeft(i);
            receivedSackEdges[2 * i + 1] = options.sackRight(i);
        }
        int sndUnaBefore = sndUna;
        int sackedBefore = scoreboard.sackedBytes();
        int newlySacked = scoreboard.update(ack, receivedSackEdges, blocks, sndMax);
        if (SeqNum.gt(ack, sndUna)) {
            newDataAcked(nowNs, tcp, ack); // a cumulative ACK: DupAcks restart at zero; may end recovery (step A)
        } else if (ack == sndUna && isDuplicateAck(tcp, payloadLength)) {
            info.duplicateAcksReceived++;
        }
        if (newlySacked > 0) {
            duplicateAcks++;
        }
        // RFC 6937 DeliveredData: change in SND.UNA plus change in SACKed bytes.
        int deliveredBytes = (sndUna - sndUnaBefore) + (scoreboard.sackedBytes() - sackedBefore);
        if (inRecovery) {
            proportionalRateReduction(deliveredBytes);
        } else if (sackLossDetected()) {
            enterSackRecovery(nowNs, deliveredBytes);
        }
        skipSackedData();
    }

    /**
     * RFC 6675 section 5: a loss is declared when DupThresh DupAcks arrived (step 1.a) or
     * IsLost(HighACK + 1) (step 1.b), unless SND.UNA has not yet passed the point of the last
     * recovery or timeout ("If no previous loss event has occurred on the connection or the
     * cumulative acknowledgment point is beyond the last value of RecoveryPoint"; 5.1).
     */
    private boolean sackLossDetected() {
        return sndUna != sndMax && SeqNum.ge(sndUna, recoveryPoint)
                && (duplicateAcks >= DUPLICATE_ACK_THRESHOLD
                    || scoreboard.isLost(sndUna, sendMss, DUPLICATE_ACK_THRESHOLD));
    }

    /**
     * RFC 6675 section 5 step 4: RecoveryPoint = HighData (4.1); ssthresh and cwnd from the
     * congestion control (4.2, which says FlightSize / 2 without the segments Limited Transmit
     * added: those went past cwnd, so the flight counts here only up to cwnd); the first segment
     * at SND.UNA is retransmitted by {@link #transmit} (4.3), then step C sends what pipe allows.
     */
    private void enterSackRecovery(long nowNs, int deliveredBytes) {
        inRecovery = true;
        recoveryPoint = sndMax;
        int flight = flightBytes();
        congestion.onEnterRecovery(nowNs, Math.min(flight, congestion.cwndBytes()));
        highRxtEnd = sndUna;
        rescueRxtEnd = sndUna;
        retransmitFirstDue = true;
        info.fastRetransmits++;
        // RFC 6937: prr_delivered = prr_out = 0, RecoverFS = snd.nxt - snd.una; then this ACK's share.
        prrDeliveredBytes = 0;
        prrOutBytes = 0;
        recoveryFlightBytes = flight;
        proportionalRateReduction(deliveredBytes);
    }

    /**
     * RFC 6937 section 3, on every ACK during recovery: how much may be sent now (sndcnt). While
     * pipe is above ssthresh, sending keeps to ssthresh / RecoverFS of what was delivered, so the
     * flight falls to ssthresh smoothly over one round trip instead of after a pause of half a
     * round trip; once pipe is at or below ssthresh (heavy losses), it climbs back no faster than
     * slow start would (the slow start reduction bound, PRR-SSRB, Linux's choice).
     */
    private void proportionalRateReduction(int deliveredBytes) {
        prrDeliveredBytes += Math.max(0, deliveredBytes);
        if (!config.proportionalRateReduction()) {
            return;
        }
        long pipe = scoreboard.pipe(sndMax, highRxtEnd, sendMss, DUPLICATE_ACK_THRESHOLD);
        long ssthresh = congestion.ssthreshBytes();
        long sendCount;
        if (pipe > ssthresh) {
            sendCount = Math.ceilDiv(prrDeliveredBytes * ssthresh, Math.max(1, recoveryFlightBytes)) - prrOutBytes;
        } else {
            long limit = Math.max(prrDeliveredBytes - prrOutBytes, deliveredBytes) + sendMss;
            sendCount = Math.min(ssthresh - pipe, limit);
        }
        prrSendQuotaBytes = Math.max(0, sendCount);
    }

    private boolean isApplicationLimited() {
        return unsentBytes() == 0 && flightBytes() < congestion.cwndBytes();
    }

    private long sampleRtt(long nowNs, TcpFlyweight tcp, int ack) {
        long sampleNs = -1;
        if (timestampsEnabled && tcp.options().hasTimestamps() && tcp.options().timestampEchoReply() != 0) {
            // RFC 7323 4.1: the echoed timestamp dates the acknowledged transmission, even a retransmission.
            int elapsedMs = timestampNow(nowNs) - tcp.options().timestampEchoReply();
            if (elapsedMs >= 0) {
                sampleNs = Math.max(1, elapsedMs) * NS_PER_MS;
            }
        } else if (rttTiming && SeqNum.gt(ack, rttSeq)) {
            sampleNs = nowNs - rttStartNs;
        }
        if (SeqNum.gt(ack, rttSeq)) {
            rttTiming = false;
        }
        if (sampleNs > 0) {
            rtt.sample(sampleNs);
        }
        return sampleNs;
    }

    private void sampleHandshakeRtt(long nowNs, TcpFlyweight tcp) {
        // Karn: only a SYN sent once gives a sample without timestamps.
        long sampleNs = -1;
        if (timestampsEnabled && tcp.options().hasTimestamps() && tcp.options().timestampEchoReply() != 0) {
            sampleNs = Math.max(1, timestampNow(nowNs) - tcp.options().timestampEchoReply()) * NS_PER_MS;
        } else if (retransmitCount == 0 && rttTiming) {
            sampleNs = nowNs - rttStartNs;
        }
        rttTiming = false;
        if (sampleNs > 0) {
            rtt.sample(sampleNs);
        }
        if (retransmitCount > 0) {
            rtt.fallBackAfterHandshakeTimeout(); // RFC 6298 5.7: RTO 3 s "when data transmission begins", unless measured
        }
        congestion.init(sendMss, retransmitCount > 0, nowNs);
    }

    /** RFC 9293 3.10.7.4 fifth step: update the send window from newer segments only. */
    private void updateWindow(TcpFlyweight tcp, boolean synSegment) {
        int seq = tcp.sequenceNumber();
        int ack = tcp.acknowledgmentNumber();
        if (synSegment || SeqNum.lt(sndWl1, seq) || (sndWl1 == seq && SeqNum.le(sndWl2, ack))) {
            int window = synSegment ? tcp.window() : scaledWindow(tcp);
            boolean opened = sndWnd == 0 && window > 0;
            sndWnd = window;
            sndWl1 = seq;
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, window);
            if (opened) {
                persistDeadlineNs = NO_DEADLINE;
                persistBackoff = 0;
            }
        }
    }

    private int scaledWindow(TcpFlyweight tcp) {
        return (int) Math.min((long) tcp.window() << sndWindowShift, Integer.MAX_VALUE);
    }

    /** RFC 9293 3.10.7.4 seventh step; payload already known to overlap the window. */
    private void receiveText(long nowNs, TcpFlyweight tcp, MemorySegment payload, int seq, int length) {
        if (length <= 0) {
            return;
        }
        if (receiveRing == null) {
            // Given back after close(): new text was answered with RST before this, and whole
            // duplicates fail the window check, so no text reaches here; a guard, not a path.
            ackDue = true;
            return;
        }
        // Trim what lies beyond what the ring can hold (the window we offered, or a little more).
        long roomPastNxt = receiveRing.writeLimit() - receiveRing.tail();
        int offsetPastNxt = seq - rcvNxt;
        int keep = (int) Math.min(length, roomPastNxt - offsetPastNxt);
        if (keep <= 0) {
            ackDue = true;
            return;
        }
        boolean inOrder = seq == rcvNxt || SeqNum.lt(seq, rcvNxt);
        boolean hadHoles = !reassembly.isEmpty();
        int fresh = reassembly.add(seq, keep);
        if (fresh < 0) {
            info.reassemblyDrops++;
            ackDue = true;
            return;
        }
        int skip = Math.max(0, rcvNxt - seq);
        if (skip < keep) {
            receiveRing.writeAt(receiveRing.tail() + (seq + skip - rcvNxt), payload,
                    tcp.payloadOffset() + skip, keep - skip);
        }
        int contiguous = reassembly.advance(rcvNxt);
        if (contiguous > 0) {
            receiveRing.commit(contiguous);
            rcvNxt += contiguous;
            info.bytesReceived += contiguous;
            events |= EVENT_READABLE;
        }
        if (fresh < keep) {
            info.duplicateBytesReceived += keep - fresh;
        }
        if (!inOrder || hadHoles || fresh == 0) {
            ackDue = true; // out of order, filling a hole, or a duplicate: ACK at once (RFC 5681 4.2)
        } else if ((unackedReceivedBytes += length) >= 2 * receiveMss()) {
            ackDue = true; // every second full-sized segment (RFC 9293 3.8.6.3)
        } else if (delayedAckDeadlineNs == NO_DEADLINE) {
            delayedAckDeadlineNs = nowNs + config.delayedAckNs();
        }
        if (remoteFinPending && rcvNxt == remoteFinSeq) {
            remoteFinPending = false;
            acceptFin(nowNs);
        }
    }

    /** RFC 9293 3.10.7.4 eighth step. */
    private void receiveFin(long nowNs, int finSequence) {
        if (!state.canReceive() && state != TcpState.SYN_RECEIVED) {
            if (state == TcpState.CLOSE_WAIT || state == TcpState.CLOSING || state == TcpState.LAST_ACK) {
                ackDue = true; // a retransmitted FIN: acknowledge again
            }
            return;
        }
        if (finSequence != rcvNxt) {
            // The FIN lies past a hole: keep it until the data before it arrives.
            if (SeqNum.gt(finSequence, rcvNxt)) {
                remoteFinPending = true;
                remoteFinSeq = finSequence;
            }
            ackDue = true;
            return;
        }
        acceptFin(nowNs);
    }

    private void acceptFin(long nowNs) {
        rcvNxt++;
        finReceived = true;
        ackDue = true;
        events |= EVENT_READABLE;
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (finAcked()) {
                    enterTimeWait(nowNs);
                } else {
                    state = TcpState.CLOSING;
                }
            }
            case FIN_WAIT_2 -> enterTimeWait(nowNs);
            default -> { }
        }
    }

    private void resetReceived() {
        info.resetsReceived++;
        switch (state) {
            case SYN_RECEIVED -> enterClosed(passiveOpen ? TcpError.CONNECTION_RESET : TcpError.CONNECTION_REFUSED);
            case CLOSING, LAST_ACK, TIME_WAIT -> enterClosed(TcpError.NONE);
            default -> enterClosed(TcpError.CONNECTION_RESET);
        }
    }

    /** RFC 5961 7: at most {@link TcpConfig#challengeAcksPerSecond()} challenge ACKs per second. */
    private void challengeAck(long nowNs) {
        if (nowNs - challengeWindowStartNs >= NS_PER_SECOND) {
            challengeWindowStartNs = nowNs;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow < config.challengeAcksPerSecond()) {
            challengeAcksInWindow++;
            info.challengeAcksSent++;
            ackDue = true;
        }
    }

    private void queueReset(int sequence) {
        rstDue = true;
        rstSeq = sequence;
    }

    // ------------------------------------------------------------------------------------ timers

    /** Runs every timer whose deadline is at or before {@code nowNs}. */
    public void onTimers(long nowNs) {
        if (closeDeadlineNs <= nowNs) {
            closeDeadlineNs = NO_DEADLINE;
            enterClosed(TcpError.NONE); // TIME_WAIT over, or an orphaned FIN_WAIT_2 timed out
            return;
        }
        if (delayedAckDeadlineNs <= nowNs) {
            delayedAckDeadlineNs = NO_DEADLINE;
            ackDue = true;
        }
        if (retransmitDeadlineNs <= nowNs) {
            retransmitTimeout(nowNs);
        }
        if (persistDeadlineNs <= nowNs) {
            persistTimeout(nowNs);
        }
        if (keepAliveDeadlineNs <= nowNs) {
            keepAliveTimeout(nowNs);
        }
    }

    /** RFC 6298 5.4-5.7 and RFC 9293 3.8.3 (R2: give up after the configured retries). */
    private void retransmitTimeout(long nowNs) {
        retransmitDeadlineNs = NO_DEADLINE;
        int limit = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED
                ? config.synRetries() : config.maxRetransmissions();
        if (retransmitCount >= limit) {
            if (state.isSynchronized() || state == TcpState.SYN_RECEIVED) {
                rstDue = true;
                rstSeq = sndNxt;
            }
            enterClosed(softError != TcpError.NONE ? softError : TcpError.TIMED_OUT);
            return;
        }
        retransmitCount++;
        info.retransmissionTimeouts++;
        rtt.backoff();
        rttTiming = false; // Karn
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            synDue = true; // the SYN backs off as any segment (RFC 6298 5.5); 5.7's 3 s waits for the handshake's end
            return;
        }
        congestion.onRetransmissionTimeout(nowNs, flightBytes());
        inRecovery = false;
        recoveryInflationBytes = 0;
        recoveryPoint = sndMax; // RFC 6582 4.1 and RFC 6675 5.1: no fast recovery for losses before this point
        duplicateAcks = 0;
        if (sackEnabled) {
            // RFC 6675 5.1 with RFC 2018 8: the peer may have reneged, so what it SACKed before the
            // timeout no longer decides what is sent again. SACK blocks on the ACKs that follow are
            // recorded afresh, and go-back-N steps over what they report (skipSackedData).
            scoreboard.clearSacks();
            retransmitFirstDue = false;
            highRxtEnd = sndUna;
            rescueRxtEnd = sndUna;
        }
        // Go back N: everything after SND.UNA is sent again as the congestion window allows.
        sndNxt = sndUna;
        if (finSent && !finAcked()) {
            finSent = false;
        }
    }

    private void persistTimeout(long nowNs) {
        persistDeadlineNs = NO_DEADLINE;
        if (unsentBytes() == 0 || flightBytes() != 0) {
            persistBackoff = 0;
            return;
        }
        if (sndWnd == 0) {
            // Linux's probe: SEG.SEQ = SND.UNA - 1 and no data, an old sequence number that any
            // receiver answers with an ACK carrying its window (RFC 9293 3.10.7.4). Nothing is in
            // flight, so no retransmission timeout, cwnd collapse or giving up while the peer keeps
            // its window closed and answers (RFC 1122 4.2.2.17); this timer repeats the probe with
            // backoff. A probe with a new octet (RFC 9293 3.8.6.1's other form) leaves both ends
            // unsure whether the octet was taken: probing each other at once, two connections then
            // sent ACKs outside each other's windows, and ACKed those ACKs, for ever.
            out.reset(sndUna - 1, rcvNxt, FLAG_ACK, windowField(false));
            addTimestamp(nowNs);
            if (send()) {
                info.zeroWindowProbes++;
            }
        } else {
            // A window too small for sender SWS avoidance: the override timeout (RFC 9293
            // 3.8.6.2.1, RFC 1122 4.2.3.4) sends what it takes, and the ACK brings the window news.
            emitData(nowNs, (int) Math.min(sndWnd, Math.min(unsentBytes(), sendMss)));
        }
        persistBackoff = Math.min(persistBackoff + 1, 16);
    }

    private void keepAliveTimeout(long nowNs) {
        if (!state.isSynchronized() || state == TcpState.TIME_WAIT) {
            keepAliveDeadlineNs = NO_DEADLINE;
            return;
        }
        if (keepAliveProbesSent >= config.keepAliveProbes()) {
            rstDue = true;
            rstSeq = sndNxt;
            enterClosed(softError != TcpError.NONE ? softError : TcpError.TIMED_OUT);
            return;
        }
        if (flightBytes() == 0 && unsentBytes() == 0) {
            // RFC 9293 3.8.4: SEG.SEQ = SND.NXT - 1 with no data, which the peer must answer with an ACK.
            out.reset(sndNxt - 1, rcvNxt, FLAG_ACK, windowField(false));
            addTimestamp(nowNs);
            if (send()) {
                keepAliveProbesSent++;
                info.keepAliveProbes++;
            }
        }
        keepAliveDeadlineNs = nowNs + config.keepAliveIntervalNs();
    }

    private void startKeepAlive(long nowNs) {
        if (config.keepAlive()) {
            keepAliveDeadlineNs = nowNs + config.keepAliveIdleNs();
        }
    }

    private void stopRetransmitTimer() {
        retransmitDeadlineNs = NO_DEADLINE;
    }

    private void enterTimeWait(long nowNs) {
        state = TcpState.TIME_WAIT;
        stopRetransmitTimer();
        persistDeadlineNs = NO_DEADLINE;
        keepAliveDeadlineNs = NO_DEADLINE;
        delayedAckDeadlineNs = NO_DEADLINE;
        closeDeadlineNs = nowNs + config.timeWaitNs();
    }

    private void enterClosed(TcpError reason) {
        if (state == TcpState.CLOSED && error != TcpError.NONE) {
            return;
        }
        state = TcpState.CLOSED;
        if (error == TcpError.NONE) {
            error = reason;
        }
        releaseSendRing();
        if (applicationClosed || readableBytes() == 0) {
            releaseReceiveRing();
        }
        synDue = false;
        ackDue = false;
        retransmitFirstDue = false;
        retransmitDeadlineNs = NO_DEADLINE;
        delayedAckDeadlineNs = NO_DEADLINE;
        persistDeadlineNs = NO_DEADLINE;
        keepAliveDeadlineNs = NO_DEADLINE;
        closeDeadlineNs = NO_DEADLINE;
        events |= EVENT_CLOSED | EVENT_READABLE | EVENT_WRITABLE;
        if (listener != null) {
            TcpListener parent = listener;
            listener = null;
            parent.childClosed(this);
        }
    }

    /**
     * Whether a new SYN may reuse this connection's four-tuple while it is in TIME_WAIT (RFC 6191):
     * with timestamps, when the SYN's timestamp is newer than the last one seen, or equal to it with
     * a sequence number past RCV.NXT; without, when its sequence number is past RCV.NXT (RFC 1122
     * 4.2.2.13).
     */
    public boolean acceptsSynInTimeWait(TcpFlyweight syn) {
        if (state != TcpState.TIME_WAIT) {
            return false;
        }
        if (timestampsEnabled && syn.options().hasTimestamps()) {
            int timestampAdvance = syn.options().timestampValue() - tsRecent;
            return timestampAdvance > 0 || (timestampAdvance == 0 && SeqNum.gt(syn.sequenceNumber(), rcvNxt));
        }
        return SeqNum.gt(syn.sequenceNumber(), rcvNxt);
    }

    // ------------------------------------------------------------------------------------ output

    /**
     * Sends everything due now: a RST, SYN or SYN-ACK, retransmissions, new data within the
     * windows and Nagle's rule, a FIN, and a pure ACK if nothing else carried one.
     *
     * @return the number of segments handed to the output
     */
    public int transmit(long nowNs) {
        int sent = 0;
        if (rstDue) {
            out.reset(rstSeq, 0, FLAG_RST, 0);
            if (!send()) {
                return sent;
            }
            rstDue = false;
            info.resetsSent++;
            sent++;
        }
        if (state == TcpState.CLOSED) {
            return sent;
        }
        if (synDue) {
            if (!emitSyn(nowNs)) {
                return sent;
            }
            synDue = false;
            sent++;
        }
        if (state == TcpState.SYN_SENT || state == TcpState.LISTEN) {
            return sent;
        }
        if (sackEnabled && inRecovery && state != TcpState.SYN_RECEIVED) {
            sent += transmitInRecovery(nowNs);
        } else if (retransmitFirstDue && state != TcpState.SYN_RECEIVED) {
            // Only what was sent before (below SND.MAX): bytes past it are new data, which the
            // windows govern; a first segment smaller than the MSS (window-limited) was
            // otherwise "retransmitted" together with data the peer had no room for.
            int length = (int) Math.min(Math.min(sendMss, unsentBytesFrom(sndUna)), sndMax - sndUna);
            boolean withFin = false;
            if (length == 0 && finSent && sndUna == finSeq) {
                withFin = true;
            }
            if (length > 0 || withFin) {
                if (!emitSegmentAt(nowNs, sndUna, length, withFin)) {
                    return sent;
                }
                sent++;
            }
            retransmitFirstDue = false;
        }
        if (state != TcpState.SYN_RECEIVED) {
            while (dataSendable()) {
                int length = sendableLength();
                if (length <= 0 || !emitData(nowNs, length)) {
                    break;
                }
                sent++;
            }
            if (finSendable()) {
                if (!emitFin(nowNs)) {
                    return sent;
                }
                sent++;
            }
            armPersistIfNeeded(nowNs);
        }
        if (ackDue) {
            // A pure ACK carries SND.MAX, RFC 9293's SND.NXT: after a go-back-N timeout our sndNxt
            // lies below what the peer already received, and a zero-length segment below its
            // RCV.NXT is unacceptable (RFC 9293 3.10.7.4): the peer would drop it unread and answer
            // with an ACK of its own, and two connections that both timed out ACK each other forever.
            out.reset(sndMax, rcvNxt, FLAG_ACK, windowField(false));
            addTimestamp(nowNs);
            addSackBlocks(0);
            if (!send()) {
                return sent;
            }
            sent++;
        }
        return sent;
    }

    private boolean emitSyn(long nowNs) {
        boolean synAck = state == TcpState.SYN_RECEIVED;
        int flags = synAck ? FLAG_SYN | FLAG_ACK : FLAG_SYN;
        out.reset(iss, synAck ? rcvNxt : 0, flags, Math.min(0xffff, receiveFreeBytes()));
        TcpOptionsWriter options = out.options();
        options.mss(config.mssBytes());
        boolean offerScale = synAck ? windowScaling : config.windowScaling();
        if (offerScale) {
            options.windowScale(rcvWindowShift);
        }
        if (synAck ? sackEnabled : config.selectiveAcks()) {
            options.sackPermitted();
        }
        if (synAck ? timestampsEnabled : config.timestamps()) {
            options.timestamps(timestampNow(nowNs), synAck ? tsRecent : 0);
        }
        if (!send()) {
            return false;
        }
        if (synAck) {
            rcvAdvertisedEdge = rcvNxt + out.window();
            lastAckSent = rcvNxt;
            ackDue = false;
        }
        sndNxt = iss + 1;
        if (SeqNum.lt(sndMax, sndNxt)) {
            sndMax = sndNxt;
        }
        if (retransmitCount == 0 && !rttTiming) {
            rttTiming = true;
            rttSeq = iss;
            rttStartNs = nowNs;
        }
        retransmitDeadlineNs = nowNs + rtt.rtoNs();
        return true;
    }

    /**
     * RFC 6675 section 5 steps (4.3) and (C), for {@link #transmit} during SACK recovery: first
     * the segment at SND.UNA presumed lost (4.3: HighRxt and RescueRxt then point at its end), then
     * while cwnd - pipe is at least one SMSS (or, with proportional rate reduction, while its
     * quota allows) the segment NextSeg() chooses. Stops early if the output refuses a segment.
     *
     * @return the number of segments sent
     */
    private int transmitInRecovery(long nowNs) {
        int sent = 0;
        if (retransmitFirstDue) {
            int length = (int) Math.min(Math.min(sendMss, scoreboard.unsackedBytesFrom(sndUna)), sndMax - sndUna);
            if (length > 0) {
                if (!emitSequenceRange(nowNs, sndUna, length)) {
                    return sent;
                }
                highRxtEnd = sndUna + length;
                rescueRxtEnd = highRxtEnd;
                countRecoverySent(length);
                sent++;
            }
            retransmitFirstDue = false;
        }
        long allowance = recoverySendAllowanceBytes();
        while (allowance >= sendMss) { // (C) and (C.5)
            SackScoreboard.Rule rule = nextRecoverySegment();
            if (rule == SackScoreboard.Rule.NONE) {
                break; // (C.1): nothing to send
            }
            int seq = scoreboard.nextSegmentSeq();
            int length = scoreboard.nextSegmentLengthBytes();
            boolean emitted = rule == SackScoreboard.Rule.NEW_DATA
                    ? emitNewDataAt(nowNs, seq, length)
                    : emitSequenceRange(nowNs, seq, length);
            if (!emitted) {
                break;
            }
            switch (rule) {
                case LOST, UNSACKED -> highRxtEnd = seq + length; // (C.2)
                case RESCUE -> rescueRxtEnd = recoveryPoint;       // rule (4): RescueRxt = RecoveryPoint, HighRxt stays
                default -> { }                                      // (C.3): emitSegmentAt moved SND.MAX (HighData)
            }
            allowance -= length; // (C.4)
            countRecoverySent(length);
            sent++;
        }
        return sent;
    }

    /** Whether {@link #transmitInRecovery} would send a segment now (for {@link #hasOutputDue}). */
    private boolean recoverySendable() {
        return sackEnabled && inRecovery && state.isSynchronized()
                && recoverySendAllowanceBytes() >= sendMss && nextRecoverySegment() != SackScoreboard.Rule.NONE;
    }

    /**
     * RFC 6675 NextSeg() with this connection's HighData, HighRxt, sendable new data and RescueRxt
     * test. One narrowing: the rescue retransmission of rule (4) is only sent when it lies in what
     * this recovery is about, at or after HighRxt and before RecoveryPoint. Its purpose is the
     * lost tail of that window, which no later SACK would reveal; when new data was sent during
     * recovery the highest unSACKed octet is that fresh data, which rule (4) read literally would
     * send twice at once, and SACKs of the new data mark the tail lost under rule (1) anyway.
     */
    private SackScoreboard.Rule nextRecoverySegment() {
        // Rule (4) applies "if HighACK is greater than RescueRxt": SND.UNA - 1 > RescueRxt.
        boolean rescueAllowed = SeqNum.gt(sndUna, rescueRxtEnd);
        SackScoreboard.Rule rule = scoreboard.nextSegment(sndMax, highRxtEnd, newDataSendableInRecovery(),
                rescueAllowed, sendMss, DUPLICATE_ACK_THRESHOLD);
        if (rule == SackScoreboard.Rule.RESCUE) {
            int start = scoreboard.nextSegmentSeq();
            int end = start + scoreboard.nextSegmentLengthBytes();
            if (SeqNum.lt(start, highRxtEnd) || SeqNum.gt(end, recoveryPoint)) {
                return SackScoreboard.Rule.NONE;
            }
        }
        return rule;
    }

    /**
     * What step (C) may still send: with proportional rate reduction (RFC 6937) the quota the last
     * ACK left; without, cwnd - pipe (RFC 6675 SetPipe(), with cwnd = ssthresh from recovery entry).
     */
    private long recoverySendAllowanceBytes() {
        if (config.proportionalRateReduction()) {
            return prrSendQuotaBytes;
        }
        return (long) congestion.cwndBytes() - scoreboard.pipe(sndMax, highRxtEnd, sendMss, DUPLICATE_ACK_THRESHOLD);
    }

    /** RFC 6937 prr_out: every byte sent during recovery, and its quota used up. */
    private void countRecoverySent(int lengthBytes) {
        prrOutBytes += lengthBytes;
        prrSendQuotaBytes = Math.max(0, prrSendQuotaBytes - lengthBytes);
    }

    /**
     * NextSeg() rule (2)'s "available unsent data ... the receiver's advertised window allows": at
     * most one SMSS from SND.MAX within the peer's window, with Nagle's rule as for any new data.
     */
    private int newDataSendableInRecovery() {
        long unsent = unsentBytesFrom(sndMax);
        long receiverRoom = (long) sndWnd - (sndMax - sndUna);
        int length = (int) Math.min(Math.min(unsent, sendMss), receiverRoom);
        return length <= 0 ? 0 : nagle(length, unsent);
    }

    /** Sends new data [seq, seq + length) at SND.MAX, with our FIN if it is the last and one is queued. */
    private boolean emitNewDataAt(long nowNs, int seq, int length) {
        boolean last = streamOffsetOf(seq) + length == sendRing.tail();
        return emitSegmentAt(nowNs, seq, length, last && finMayBeSent());
    }

    /**
     * Sends the sequence range [seq, seq + length) again: its data, and our FIN if the range
     * holds the FIN's sequence number.
     */
    private boolean emitSequenceRange(long nowNs, int seq, int length) {
        boolean withFin = finNumbered() && SeqNum.le(seq, finSeq) && SeqNum.lt(finSeq, seq + length);
        return emitSegmentAt(nowNs, seq, withFin ? finSeq - seq : length, withFin);
    }

    /** Our FIN has a sequence number: it was sent at least once (a timeout may have cleared finSent to send it again). */
    private boolean finNumbered() {
        return finSent || state == TcpState.FIN_WAIT_1 || state == TcpState.CLOSING || state == TcpState.LAST_ACK;
    }

    /**
     * After a timeout or a path MTU drop, SND.NXT goes back to SND.UNA and the flight is sent
     * again; with SACK, a range the peer reports holding is stepped over, not sent again (RFC 6675
     * 5.1: "use SACK information to avoid retransmitting data already received"). Our FIN, if
     * waiting to go again, is never stepped over.
     */
    private void skipSackedData() {
        if (!sackEnabled || !SeqNum.lt(sndNxt, sndMax)) {
            return;
        }
        int end = scoreboard.sackedRangeEnd(sndNxt);
        if (end == sndNxt) {
            return;
        }
        if (!finSent && finNumbered() && SeqNum.gt(end, finSeq)) {
            end = finSeq;
        }
        sndNxt = end;
    }

    private boolean dataSendable() {
        if (sackEnabled && inRecovery) {
            return false; // transmitInRecovery sends new data too (NextSeg rule 2)
        }
        return (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
                || ((state == TcpState.FIN_WAIT_1 || state == TcpState.CLOSING || state == TcpState.LAST_ACK) && !finSent))
                && unsentBytes() > 0 && sendableLength() > 0;
    }

    /**
     * How many bytes the next new-data segment may carry, zero if none: the least of the unsent
     * bytes, the MSS and the usable window (RFC 5681 congestion window, RFC 9293 send window),
     * then Nagle (RFC 9293 3.7.4) and sender-side silly-window avoidance (3.8.6.2.1).
     */
    private int sendableLength() {
        long unsent = unsentBytes();
        if (unsent == 0) {
            return 0;
        }
        long usable = usableWindowBytes();
        if (usable <= 0) {
            return 0;
        }
        int length = (int) Math.min(Math.min(unsent, sendMss), usable);
        if (SeqNum.lt(sndNxt, sndMax)) {
            // Going back after a timeout or a smaller path MTU: data sent before, which Nagle's rule
            // (for new data) does not hold back when it fits the windows whole; with SACK a
            // segment ends where the next range the peer holds begins. Cut short by a window, it
            // waits as new data would (sender silly-window avoidance).
            long whole = Math.min(unsent, sendMss);
            if (sackEnabled) {
                whole = Math.min(whole, scoreboard.unsackedBytesFrom(sndNxt));
            }
            if (length >= whole) {
                return (int) whole;
            }
            if (sndNxt == sndUna) {
                // RFC 6298 5.4: the timeout's retransmission of the earliest unacknowledged segment
                // goes even when the peer's window is smaller (Linux sends what the window allows).
                // Held back here, it waited for the persist timer, whose backoff multiplied the RTO's.
                return length;
            }
        }
        return nagle(length, unsent);
    }

    /**
     * The room the windows leave for the next segment at SND.NXT. Without SACK: the least of the
     * peer's window and cwnd (inflated during NewReno recovery, RFC 6582) less the flight. With
     * SACK, cwnd is compared with RFC 6675's pipe rather than the flight: SACKed data has left
     * the network, so new data may follow it as RFC 6675 5 step (1.c) allows (Limited Transmit);
     * the peer's window still counts from SND.UNA.
     */
    private long usableWindowBytes() {
        if (!sackEnabled) {
            long congestionWindow = (long) congestion.cwndBytes() + (inRecovery ? recoveryInflationBytes : 0);
            return Math.min(sndWnd, congestionWindow) - flightBytes();
        }
        long receiverRoom = (long) sndWnd - flightBytes();
        return Math.min(receiverRoom, (long) congestion.cwndBytes() - pipeBytes());
    }

    /**
     * RFC 6675 SetPipe() for this connection. In recovery, the scoreboard's. After a timeout or a
     * path MTU drop until SND.UNA passes the recovery point (go-back-N), what lies past SND.NXT is
     * taken as lost, as Linux marks it at a timeout: pipe is what was sent again and not SACKed.
     * Otherwise the scoreboard's with nothing retransmitted (HighRxt = HighACK, step 1.c.1).
     */
    private int pipeBytes() {
        if (inRecovery) {
            return scoreboard.pipe(sndMax, highRxtEnd, sendMss, DUPLICATE_ACK_THRESHOLD);
        }
        if (SeqNum.lt(sndUna, recoveryPoint)) {
            return flightBytes() - scoreboard.sackedBytesBefore(sndNxt);
        }
        if (scoreboard.isEmpty()) {
            return flightBytes();
        }
        return scoreboard.pipe(sndMax, sndUna, sendMss, DUPLICATE_ACK_THRESHOLD);
    }

    /**
     * Nagle (RFC 9293 3.7.4) and sender-side silly-window avoidance (3.8.6.2.1) for a new-data
     * segment of {@code length} bytes with {@code unsent} bytes queued: the length, or 0 to wait.
     */
    private int nagle(int length, long unsent) {
        if (length == sendMss) {
            return length;
        }
        boolean everythingQueued = length == unsent;
        boolean nothingOutstanding = flightBytes() == 0;
        // Nagle: a short segment only when nothing is outstanding (or with TCP_NODELAY, or to finish a FIN).
        if (everythingQueued && (nothingOutstanding || config.noDelay() || finQueued)) {
            return length;
        }
        // Sender SWS: a partial segment that fills at least half the largest window seen.
        if (length >= maxSndWnd / 2 && maxSndWnd > 0 && (nothingOutstanding || config.noDelay())) {
            return length;
        }
        return 0;
    }

    private boolean finSendable() {
        return !finSent && unsentBytes() == 0 && finMayBeSent();
    }

    /** Whether our FIN is queued and the state lets it go (again, after a timeout). */
    private boolean finMayBeSent() {
        return finQueued && switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    /** New data at SND.NXT, up to {@code length} bytes, with our FIN when it empties the queue. */
    private boolean emitData(long nowNs, int length) {
        long streamOffset = streamOffsetOf(sndNxt);
        int available = (int) Math.min(length, sendRing.tail() - streamOffset);
        if (available <= 0) {
            return false;
        }
        boolean withFin = streamOffset + available == sendRing.tail() && finMayBeSent();
        return emitSegmentAt(nowNs, sndNxt, available, withFin);
    }

    private boolean emitFin(long nowNs) {
        return emitSegmentAt(nowNs, sndNxt, 0, true);
    }

    /**
     * Emits [seq, seq + length) of the send ring (a first transmission or a retransmission), with
     * FIN when asked, and advances SND.NXT and SND.MAX past it.
     */
    private boolean emitSegmentAt(long nowNs, int seq, int length, boolean withFin) {
        int flags = FLAG_ACK;
        long streamOffset = length > 0 ? streamOffsetOf(seq) : 0; // a bare FIN needs no ring
        if (length > 0 && streamOffset + length == sendRing.tail()) {
            flags |= FLAG_PSH;
        }
        if (withFin) {
            flags |= FLAG_FIN;
        }
        out.reset(seq, rcvNxt, flags, windowField(false));
        addTimestamp(nowNs);
        addSackBlocks(length);
        if (length > 0) {
            out.payload(sendRing, streamOffset, length);
        }
        if (!send()) {
            return false;
        }
        boolean retransmission = SeqNum.lt(seq, sndMax);
        int end = seq + length + (withFin ? 1 : 0);
        if (withFin) {
            if (!finSent) {
                finSent = true;
                finSeq = seq + length;
                enterFinState();
            }
        }
        if (SeqNum.gt(end, sndNxt)) {
            sndNxt = end;
        }
        if (SeqNum.gt(end, sndMax)) {
            sndMax = end;
        }
        skipSackedData();
        if (!retransmission && !rttTiming && !timestampsEnabled) {
            rttTiming = true;
            rttSeq = seq;
            rttStartNs = nowNs;
        }
        if (retransmission && length > 0 && SeqNum.le(seq, rttSeq)) {
            rttTiming = false; // Karn: never time a retransmitted segment
        }
        info.bytesSent += retransmission ? 0 : length;
        if (retransmission) {
            // Every segment sent again counts, the go-back-N ones after a timeout too (Linux's total_retrans).
            info.bytesRetransmitted += length;
            info.retransmittedSegments++;
        }
        if (retransmitDeadlineNs == NO_DEADLINE) {
            retransmitDeadlineNs = nowNs + rtt.rtoNs(); // RFC 6298 5.1
        }
        if (!retransmission && congestion.cwndBytes() > 0 && nowNs - lastSendNs > rtt.rtoNs() && flightBytes() == length) {
            congestion.onRestartAfterIdle(nowNs, nowNs - lastSendNs, rtt.rtoNs()); // RFC 5681 4.1
        }
        lastSendNs = nowNs;
        return true;
    }

    private void enterFinState() {
        switch (state) {
            case ESTABLISHED, SYN_RECEIVED -> state = TcpState.FIN_WAIT_1;
            case CLOSE_WAIT -> state = TcpState.LAST_ACK;
            default -> { }
        }
    }

    private void armPersistIfNeeded(long nowNs) {
        // A zero window, or a silly one (nothing in flight yet nothing sendable): RFC 9293 3.8.6.1 and 3.8.6.2.1.
        if ((sndWnd == 0 || sendableLength() == 0) && unsentBytes() > 0 && flightBytes() == 0
                && persistDeadlineNs == NO_DEADLINE && state.isSynchronized()) {
            long backoffNs = rtt.rtoNs() << Math.min(persistBackoff, 16);
            persistDeadlineNs = nowNs + Math.min(Math.max(backoffNs, config.minRtoNs()), config.maxRtoNs());
        }
    }

    /** Hands {@link #out} to the output; on success the ACK it carries settles what was owed. */
    private boolean send() {
        if (!output.transmit(this, out)) {
            info.outputFull++;
            return false;
        }
        info.segmentsSent++;
        if ((out.flags() & FLAG_ACK) != 0) {
            ackDue = false;
            unackedReceivedBytes = 0;
            delayedAckDeadlineNs = NO_DEADLINE;
            lastAckSent = out.acknowledgmentNumber();
            int edge = out.acknowledgmentNumber() + (out.window() << ((out.flags() & FLAG_SYN) != 0 ? 0 : rcvWindowShift));
            if (SeqNum.gt(edge, rcvAdvertisedEdge)) {
                rcvAdvertisedEdge = edge;
            }
        }
        return true;
    }

    private void addTimestamp(long nowNs) {
        if (timestampsEnabled) {
            out.options().timestamps(timestampNow(nowNs), tsRecent);
        }
    }

    /**
     * Adds the SACK blocks (RFC 2018 4) that fit beside {@code payloadLength} bytes of data: the
     * send MSS leaves room only for the timestamp option, so a full-sized data segment carries
     * none and a shorter one as many as its spare bytes hold (a SACK option is 2 NOPs, kind,
     * length and 8 bytes a block). RFC 2018 lets a sender report fewer blocks than it holds;
     * pure ACKs carry them all.
     */
    private void addSackBlocks(int payloadLength) {
        if (sackEnabled && reassembly != null && !reassembly.isEmpty()) {
            int spareBytes = sendMss - payloadLength - 4;
            int fitting = spareBytes < 0 ? 0 : spareBytes / TcpOptions.SACK_BLOCK_LENGTH;
            int maxBlocks = Math.min(timestampsEnabled ? 3 : 4, fitting);
            if (maxBlocks == 0) {
                return;
            }
            int blocks = reassembly.sackBlocks(sackEdges, maxBlocks);
            for (int i = 0; i < blocks; i++) {
                out.options().sackBlock(sackEdges[2 * i], sackEdges[2 * i + 1]);
            }
        }
    }

    /**
     * The window field for an outgoing segment: the free receive space, scaled, with the right
     * edge never moved left (RFC 9293 3.8.6) and moved right only in steps that avoid silly
     * windows (RFC 9293 3.8.6.2.2).
     */
    private int windowField(boolean syn) {
        int free = receiveFreeBytes();
        int candidateEdge = rcvNxt + free;
        int edge = rcvAdvertisedEdge;
        if (SeqNum.gt(candidateEdge, edge) && (candidateEdge - edge >= swsThresholdBytes() || SeqNum.le(edge, rcvNxt))) {
            edge = candidateEdge;
        }
        int window = Math.max(0, edge - rcvNxt);
        if (syn) {
            return Math.min(window, 0xffff);
        }
        // Round up so that scaling never shrinks the edge below one already advertised.
        int field = (window + (1 << rcvWindowShift) - 1) >>> rcvWindowShift;
        if ((long) field << rcvWindowShift > free + (long) Math.max(0, rcvAdvertisedEdge - rcvNxt)) {
            field = window >>> rcvWindowShift;
        }
        return Math.min(field, 0xffff);
    }

    /** The segment size the peer sends us at most: our MSS less the timestamp option. */
    private int receiveMss() {
        return config.mssBytes() - (timestampsEnabled ? TIMESTAMP_OPTION_BYTES : 0);
    }

    private int swsThresholdBytes() {
        return Math.min(receiveCapacityBytes / 2, sendMss);
    }

    /**
     * The receive ring's free space; once the ring is given back after close() (it was empty,
     * and no new data is taken), the empty ring's, so the window we advertise does not change.
     */
    private int receiveFreeBytes() {
        ByteRing ring = receiveRing;
        return ring == null ? receiveCapacityBytes : ring.freeBytes();
    }

    /**
     * Gives the send ring back (see "Rings" in the class comment), and drops the SACK scoreboard
     * that described what the peer holds of it; no-op once done.
     */
    private void releaseSendRing() {
        ByteRing ring = sendRing;
        if (ring != null && !ringsPinned) {
            sendRing = null;
            info.dsackBlocksReceived = scoreboard.dsackBlockCount();
            info.sackBlocksIgnored = scoreboard.invalidBlockCount();
            scoreboard = null;
            receivedSackEdges = null;
            rings.recycle(ring);
        }
    }

    /**
     * Gives the receive ring back (see "Rings" in the class comment), and drops the reassembly
     * queue that described which of its bytes had arrived; no-op once done.
     */
    private void releaseReceiveRing() {
        ByteRing ring = receiveRing;
        if (ring != null && !ringsPinned) {
            receiveRing = null;
            reassembly = null;
            sackEdges = null;
            rings.recycle(ring);
        }
    }

    /** The window we last advertised, from RCV.NXT to its right edge. */
    private int advertisedWindowBytes() {
        return Math.max(0, rcvAdvertisedEdge - rcvNxt);
    }

    private int timestampNow(long nowNs) {
        return timestampValue(timestampOffset, nowNs);
    }

    // --------------------------------------------------------------------------- send-side math

    /** Sequence space sent and not yet acknowledged (including SYN/FIN). */
    private int flightBytes() {
        return sndNxt - sndUna;
    }

    /** Bytes in the send ring not yet sent (from SND.NXT). */
    private long unsentBytes() {
        return unsentBytesFrom(sndNxt);
    }

    private long unsentBytesFrom(int seq) {
        if (sendRing == null || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED || state == TcpState.CLOSED) {
            return 0; // no ring: everything was acknowledged, or the connection is CLOSED
        }
        return Math.max(0, sendRing.tail() - streamOffsetOf(seq));
    }

    /**
     * The send ring's stream offset of sequence number {@code seq} (data starts at ISS + 1). Only
     * while the connection holds its send ring: every caller has unsent or unacknowledged data.
     */
    private long streamOffsetOf(int seq) {
        int headSeq = iss + 1 + (int) sendRing.head();
        return sendRing.head() + (seq - headSeq);
    }
}
