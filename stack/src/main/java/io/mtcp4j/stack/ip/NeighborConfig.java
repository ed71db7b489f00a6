package io.mtcp4j.stack.ip;

/**
 * Sizes and timers of a {@link NeighborCache}. The timer defaults are RFC 4861 10's protocol
 * constants, which Linux also uses for ARP.
 *
 * @param capacity                    most entries the table holds
 * @param pendingFramesPerDestination most frames held for one address while it resolves (Linux's
 *                                    {@code unres_qlen} is 3 in packets on old kernels); a newer
 *                                    frame pushes out the oldest
 * @param pendingFramesTotal          pending-frame buffers shared by all destinations
 * @param maxFrameBytes               the largest frame a pending buffer holds: Ethernet header
 *                                    (with a VLAN tag) plus the MTU, 1518 for a 1500-byte MTU
 * @param reachableTimeNs             how long a confirmation keeps an entry REACHABLE (REACHABLE_TIME, 30 s)
 * @param retransmitTimeNs            between solicitations (RETRANS_TIMER, 1 s)
 * @param delayFirstProbeTimeNs       how long DELAY waits before probing (DELAY_FIRST_PROBE_TIME, 5 s)
 * @param maxMulticastSolicitations   broadcast/multicast solicitations before a resolution fails (MAX_MULTICAST_SOLICIT, 3)
 * @param maxUnicastSolicitations     unicast probes before a stale entry is given up (MAX_UNICAST_SOLICIT, 3)
 */
public record NeighborConfig(int capacity, int pendingFramesPerDestination, int pendingFramesTotal, int maxFrameBytes,
                             long reachableTimeNs, long retransmitTimeNs, long delayFirstProbeTimeNs,
                             int maxMulticastSolicitations, int maxUnicastSolicitations) {
    private static final long NS_PER_SECOND = 1_000_000_000L;

    public NeighborConfig {
        requirePositive("capacity", capacity);
        requirePositive("pending frames per destination", pendingFramesPerDestination);
        requirePositive("pending frames in total", pendingFramesTotal);
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("pending frame buffers must hold at least a minimum Ethernet frame: " + maxFrameBytes);
        }
        requirePositive("reachable time", reachableTimeNs);
        requirePositive("retransmit time", retransmitTimeNs);
        requirePositive("delay before the first probe", delayFirstProbeTimeNs);
        requirePositive("multicast solicitations", maxMulticastSolicitations);
        requirePositive("unicast solicitations", maxUnicastSolicitations);
        if (capacity > 1 << 20) {
            throw new IllegalArgumentException("a neighbour table of more than 2^20 entries is a configuration mistake: " + capacity);
        }
    }

    /** 256 entries, 3 frames per destination, 64 buffers of 1518 bytes, RFC 4861 timers. */
    public static NeighborConfig defaults() {
        return new NeighborConfig(256, 3, 64, 1518,
                30 * NS_PER_SECOND, NS_PER_SECOND, 5 * NS_PER_SECOND, 3, 3);
    }

    /** These settings with another capacity and pool; for tests and small configurations. */
    public NeighborConfig withSizes(int capacity, int pendingFramesPerDestination, int pendingFramesTotal) {
        return new NeighborConfig(capacity, pendingFramesPerDestination, pendingFramesTotal, maxFrameBytes,
                reachableTimeNs, retransmitTimeNs, delayFirstProbeTimeNs, maxMulticastSolicitations, maxUnicastSolicitations);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
