/**
 * TCP: the per-connection protocol logic and the pieces it is built from.
 *
 * <p>Everything here is pure: no threads, no I/O, no clock reads. Time arrives as a
 * {@code long nowNs} argument (or, for {@link io.mtcp4j.stack.tcp.RttEstimator}, as measured
 * durations), so tests drive a connection through any schedule deterministically. Nothing on the
 * per-segment path allocates; each class preallocates its storage in its constructor. A class
 * here belongs to one thread (its engine's), except {@link io.mtcp4j.stack.tcp.ByteRing}, which
 * one producer and one consumer thread may share.
 *
 * <ul>
 *   <li>{@link io.mtcp4j.stack.tcp.SeqNum}: modular comparison of 32-bit sequence numbers
 *       (RFC 9293 3.4); sequence numbers are raw {@code int}s and never meet a raw {@code <}.</li>
 *   <li>{@link io.mtcp4j.stack.tcp.ByteRing}: send and receive rings indexed by 64-bit stream
 *       offsets; the payload of out-of-order segments is placed straight into the receive ring.
 *       Safe for one producer and one consumer thread (release stores, acquire loads).</li>
 *   <li>{@link io.mtcp4j.stack.tcp.RingPool}: an engine's rings by size class, reused from
 *       connection to connection ({@link io.mtcp4j.stack.tcp.RingAllocator}); a connection gives
 *       its rings back when it is done with them, so TIME_WAIT after close() holds none.</li>
 *   <li>{@link io.mtcp4j.stack.tcp.ReassemblyQueue}: which ranges past RCV.NXT have arrived
 *       (ranges only, bounded), and the SACK blocks (RFC 2018) that describe them.</li>
 *   <li>{@link io.mtcp4j.stack.tcp.RttEstimator}: SRTT, RTTVAR and RTO (RFC 6298, RFC 7323
 *       Appendix G) with backoff.</li>
 *   <li>{@link io.mtcp4j.stack.tcp.SackScoreboard}: the sender's SACKed ranges (RFC 2018, D-SACK
 *       per RFC 2883) and RFC 6675's IsLost, SetPipe and NextSeg over them, in O(ranges).</li>
 *   <li>{@link io.mtcp4j.stack.tcp.TcpConnection}: the control block; with SACK it recovers from
 *       loss by RFC 6675 over the scoreboard, without by RFC 6582 NewReno.</li>
 * </ul>
 *
 * <p>Units are in names ({@code rtoNs}, {@code lengthBytes}); RFC 9293's variable names
 * (SND.UNA, RCV.NXT, ...) appear as {@code sndUna}, {@code rcvNxt}.
 */
package io.mtcp4j.stack.tcp;
