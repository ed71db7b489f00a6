/**
 * IP control plane: the pieces between the wire formats and TCP that an engine calls for frames
 * that are not TCP segments, and for deciding where a segment goes.
 *
 * <ul>
 *   <li>{@link io.mtcp4j.stack.ip.NeighborCache}: ARP (RFC 826, RFC 1122 2.3.2) and IPv6 neighbour
 *       discovery (RFC 4861 7.3) caches, one state machine, with bounded tables, bounded queues of
 *       frames waiting for resolution, and timers driven by {@code nowNs}.</li>
 *   <li>{@link io.mtcp4j.stack.ip.IpControl}: answers ARP requests, neighbour solicitations and
 *       echo requests; feeds ARP and neighbour advertisements into the caches; builds ARP
 *       requests, solicitations, and the gratuitous ARP and unsolicited advertisement an interface
 *       sends when it comes up.</li>
 *   <li>{@link io.mtcp4j.stack.ip.IcmpErrorReport}: which TCP flow an ICMP/ICMPv6 error is about,
 *       and for "fragmentation needed" / "packet too big" the path MTU to use (RFC 1191, RFC 8201).</li>
 *   <li>{@link io.mtcp4j.stack.ip.RoutingTable}: connected subnets, gateways, loopback and local
 *       addresses, longest-prefix match into a reusable {@link io.mtcp4j.stack.ip.NextHop}.</li>
 * </ul>
 *
 * <p><b>IP fragments</b> are never reassembled: {@link io.mtcp4j.stack.wire.FrameParser} reports
 * them as {@link io.mtcp4j.stack.wire.Malformed#IP_FRAGMENT} and the engine counts and drops them.
 * TCP never needs them: the stack sends with DF set, advertises an MSS that fits the interface MTU,
 * and lowers a flow's MSS when an ICMP error reports a smaller path MTU, so a peer has no reason
 * to fragment what it sends to us either.
 *
 * <p>Everything here is single-threaded and pure in the sense of the {@code tcp} package: no
 * threads, no I/O, no clock reads (time arrives as {@code nowNs}), and nothing allocates on the
 * per-packet path; storage is preallocated in constructors. Drops are counted per reason in
 * {@link io.mtcp4j.stack.ip.DropCounters} under the names of {@link io.mtcp4j.stack.ip.IpDrop}.
 */
package io.mtcp4j.stack.ip;
