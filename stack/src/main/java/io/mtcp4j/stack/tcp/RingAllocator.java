package io.mtcp4j.stack.tcp;

/**
 * Where a {@link TcpConnection} gets its send and receive rings and gives them back. An engine
 * passes its {@link RingPool}; tests and callers without an engine use {@link #unpooled()}.
 *
 * <p>A connection returns each ring once, when neither it nor the application will touch the ring
 * again (see {@link TcpConnection}'s "Rings" section); after that the allocator may hand the ring
 * to another connection.
 */
public interface RingAllocator {
    /**
     * An empty ring of {@code capacityBytes} (a power of two) at stream offset 0. Its bytes are
     * not necessarily zero.
     */
    ByteRing allocate(int capacityBytes);

    /** Takes back a ring from {@link #allocate}; the caller must not touch it again. */
    void recycle(ByteRing ring);

    /**
     * Fresh native memory for every ring ({@link ByteRing#allocate}), freed by the GC once the
     * ring is unreachable; {@link #recycle} drops the ring. Stateless, so any thread may use it.
     */
    static RingAllocator unpooled() {
        return Unpooled.INSTANCE;
    }

    /** The allocator behind {@link #unpooled()}. */
    enum Unpooled implements RingAllocator {
        INSTANCE;

        @Override
        public ByteRing allocate(int capacityBytes) {
            return ByteRing.allocate(capacityBytes);
        }

        @Override
        public void recycle(ByteRing ring) {
            // nothing kept: the GC frees the ring's memory
        }
    }
}
