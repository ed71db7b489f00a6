/**
 * Wire formats: one flyweight per protocol header over a {@link java.lang.foreign.MemorySegment},
 * value records for tests and debugging, the Internet checksum, and a pcap writer.
 *
 * <h2>Flyweights</h2>
 * A flyweight ({@code EthernetFlyweight}, {@code Ipv4Flyweight}, {@code TcpFlyweight}, ...) is a
 * mutable view that the engine creates once and re-points at each frame; it allocates nothing.
 * <ul>
 *   <li>{@code Malformed wrap(MemorySegment segment, long offset, long available)} is the checked
 *       ingress wrap: it reads at most {@code available} bytes from {@code offset}, validates every
 *       length the header claims against them, and returns {@link io.mtcp4j.stack.wire.Malformed#NONE}
 *       or the first problem found. It never throws for any content of the bytes (random bytes,
 *       truncation); it throws only for caller bugs (an {@code offset}/{@code available} outside
 *       the segment). After a failed wrap the accessors' results are unspecified.</li>
 *   <li>{@code wrapForWrite(MemorySegment segment, long offset)} points the flyweight at a buffer
 *       being built (egress) without validation.</li>
 *   <li>Accessors carry no {@code get}/{@code set} prefix: {@code ttl()} reads, {@code ttl(int)}
 *       writes and returns the flyweight for chaining. Offsets are named constants; the class
 *       javadoc carries the RFC's bit diagram.</li>
 *   <li>Multi-byte fields go through {@link io.mtcp4j.stack.wire.NetworkOrder}. Unsigned 8/16-bit
 *       fields are {@code int}; 32-bit sequence numbers and IPv4 addresses are raw {@code int}
 *       bits (compare sequence numbers modularly, never with {@code <}); MAC addresses are the low
 *       48 bits of a {@code long}; IPv6 addresses are read as two {@code long} halves.</li>
 *   <li>{@code headerLength()} and {@code payloadOffset()} / {@code payloadLength()} tell the next
 *       layer where to wrap.</li>
 * </ul>
 *
 * <h2>Value records</h2>
 * Each header has a record of the same fields ({@code Ipv4Header}, {@code TcpHeader}, ...) with
 * {@code static from(flyweight)} and {@code writeTo(segment, offset)} returning the bytes written.
 * Records are for tests, debugging and building crafted segments, never for the per-packet path.
 */
package io.mtcp4j.stack.wire;
