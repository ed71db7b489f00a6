package io.mtcp4j.stack.ip;

/**
 * The reachability state of a neighbour cache entry (RFC 4861 7.3.2), used for ARP as well as
 * for neighbour discovery, as Linux does.
 *
 * <pre>
 *                 resolve()                 answer (solicited: REACHABLE, else STALE)
 *   (no entry) -------------&gt; INCOMPLETE ---------------------------------------------+
 *        ^                      |  retransmit every RetransTimer                      |
 *        |   MAX_MULTICAST_SOLICIT unanswered: entry removed, held frames dropped      |
 *        +----------------------+                                                     v
 *        |                                    ReachableTime passes              +-----------+
 *        |                  +-----------+ &lt;------------------------------------ | REACHABLE |
 *        |                  |   STALE   |                                      +-----------+
 *        |                  +-----------+ -- a frame is sent --&gt; DELAY             ^   ^
 *        |                                                         | DELAY_FIRST   |   | confirmation
 *        |                                                         v PROBE_TIME    |   | (solicited
 *        +------- MAX_UNICAST_SOLICIT unanswered ------------- PROBE ---------------+   |  answer, or
 *                                                                                       |  confirm())
 * </pre>
 *
 * <p>FAILED is not a resting state here: an entry whose solicitations run out is removed at once,
 * its held frames dropped and counted, and the next frame for that address starts a new
 * resolution (what Linux does with a FAILED entry too, without keeping the slot).
 */
public enum NeighborState {
    /** No entry for the address. */
    NONE,
    /** Resolution under way: solicitations sent, no link-layer address yet; frames wait in the pending queue. */
    INCOMPLETE,
    /** Reachability confirmed less than ReachableTime ago. */
    REACHABLE,
    /** A link-layer address known but not recently confirmed; it is still used. */
    STALE,
    /** A frame was sent on a stale entry; waiting DELAY_FIRST_PROBE_TIME for an upper-layer confirmation before probing. */
    DELAY,
    /** Unicast solicitations sent to the cached address, which is still used meanwhile. */
    PROBE
}
