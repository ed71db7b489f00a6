package io.mtcp4j.stack.ip;

/**
 * One counter per {@link IpDrop} reason, owned by one engine thread. Plain {@code long}s: the
 * engine that owns the component publishes them to other threads (JMX, {@code mtcp4j stat}) in
 * whatever way it publishes its own counters.
 */
public final class DropCounters {
    private final long[] counts = new long[IpDrop.count()];

    /** Counts one drop; {@link IpDrop#NONE} is not a drop and is not counted. */
    public void increment(IpDrop reason) {
        add(reason, 1);
    }

    /** Counts {@code frames} drops for one reason. */
    public void add(IpDrop reason, long frames) {
        if (reason != IpDrop.NONE) {
            counts[reason.ordinal()] += frames;
        }
    }

    public long count(IpDrop reason) {
        return counts[reason.ordinal()];
    }

    /** The sum over every reason. */
    public long total() {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }
}
