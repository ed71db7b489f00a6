package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.wire.ChecksumTest.IPV4_CHECKSUM_OFFSET;
import static io.mtcp4j.stack.wire.ChecksumTest.assertUpdateMatchesRecomputation;
import static io.mtcp4j.stack.wire.ChecksumTest.fillChecksum;
import static io.mtcp4j.stack.wire.ChecksumTest.ipv6PseudoHeaderBytes;
import static io.mtcp4j.stack.wire.ChecksumTest.nativeCopy;
import static io.mtcp4j.stack.wire.ChecksumTest.referenceFold;
import static io.mtcp4j.stack.wire.ChecksumTest.referenceSum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link Checksum} properties over random data, against the naive reference in {@link ChecksumTest}.
 * (A separate class from the known-answer tests so that surefire counts both engines' tests.)
 */
class ChecksumPropertiesTest {
    @Property
    void sumEqualsTheReferenceOnHeapSegments(@ForAll @Size(max = 300) byte[] data,
                                             @ForAll @IntRange(max = 300) int start,
                                             @ForAll @IntRange(max = 300) int length) {
        int offset = Math.min(start, data.length);
        int range = Math.min(length, data.length - offset);
        assertEquals(referenceSum(data, offset, range), Checksum.sum(MemorySegment.ofArray(data), offset, range));
    }

    @Property
    void sumEqualsTheReferenceOnNativeSegments(@ForAll @Size(max = 300) byte[] data,
                                               @ForAll @IntRange(max = 300) int start,
                                               @ForAll @IntRange(max = 300) int length) {
        int offset = Math.min(start, data.length);
        int range = Math.min(length, data.length - offset);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(referenceSum(data, offset, range), Checksum.sum(nativeCopy(arena, data), offset, range));
        }
    }

    @Property
    void addingEvenPiecesEqualsTheWhole(@ForAll @Size(max = 400) byte[] data, @ForAll("cuts") int[] cuts) {
        MemorySegment segment = MemorySegment.ofArray(data);
        int[] evenCuts = Arrays.stream(cuts).map(cut -> 2 * (cut % (data.length / 2 + 1))).sorted().toArray();
        long partial = 0;
        int start = 0;
        for (int cut : evenCuts) {
            partial = Checksum.add(partial, Checksum.sum(segment, start, cut - start));
            start = cut;
        }
        partial = Checksum.add(partial, Checksum.sum(segment, start, data.length - start));
        assertEquals(Checksum.fold(Checksum.sum(segment, 0, data.length)), Checksum.fold(partial));
    }

    @Provide
    Arbitrary<int[]> cuts() {
        return Arbitraries.integers().between(0, 1000).array(int[].class).ofMaxSize(8);
    }

    @Property
    void ipv6PseudoHeaderEqualsTheReference(@ForAll @Size(16) byte[] source, @ForAll @Size(16) byte[] destination,
                                            @ForAll @IntRange(max = 255) int nextHeader,
                                            @ForAll("upperLayerLengths") long upperLayerLength) {
        long pseudo = Checksum.pseudoHeaderIpv6(MemorySegment.ofArray(source), 0,
                MemorySegment.ofArray(destination), 0, nextHeader, upperLayerLength);
        assertEquals(referenceSum(ipv6PseudoHeaderBytes(source, destination, upperLayerLength, nextHeader), 0, 40),
                Checksum.fold(pseudo));
    }

    @Provide
    Arbitrary<Long> upperLayerLengths() {
        return Arbitraries.longs().between(0, 0xffffffffL);
    }

    @Property
    void ipv4PseudoHeaderEqualsTheReference(@ForAll int source, @ForAll int destination,
                                            @ForAll @IntRange(max = 255) int protocol,
                                            @ForAll @IntRange(max = 0xffff) int upperLayerLength) {
        byte[] laidOut = new byte[12];
        MemorySegment segment = MemorySegment.ofArray(laidOut);
        NetworkOrder.u32(segment, 0, source);
        NetworkOrder.u32(segment, 4, destination);
        NetworkOrder.u8(segment, 9, protocol);
        NetworkOrder.u16(segment, 10, upperLayerLength);
        assertEquals(referenceSum(laidOut, 0, 12),
                Checksum.fold(Checksum.pseudoHeaderIpv4(source, destination, protocol, upperLayerLength)));
    }

    @Property
    void update16EqualsRecomputation(@ForAll @Size(20) byte[] header, @ForAll @IntRange(min = 1, max = 9) int word,
                                     @ForAll @IntRange(max = 0xffff) int newWord) {
        Assume.that(2 * word != IPV4_CHECKSUM_OFFSET);
        header[0] = 0x45; // a real header is never all zero, which is what makes eqn. 3 exact (RFC 1624 section 3)
        fillChecksum(header);
        assertUpdateMatchesRecomputation(header, 2 * word, false, newWord);
    }

    @Property
    void update32EqualsRecomputation(@ForAll @Size(20) byte[] header, @ForAll @IntRange(min = 1, max = 8) int word,
                                     @ForAll int newValue) {
        Assume.that(2 * word != IPV4_CHECKSUM_OFFSET && 2 * word + 2 != IPV4_CHECKSUM_OFFSET);
        header[0] = 0x45;
        fillChecksum(header);
        assertUpdateMatchesRecomputation(header, 2 * word, true, newValue);
    }

    @Property
    void foldEqualsRepeatedEndAroundCarry(@ForAll long partial) {
        assertEquals(referenceFold(partial), Checksum.fold(partial));
    }

    @Property
    void checksumOfDataWithItsChecksumVerifies(@ForAll @Size(min = 2, max = 200) byte[] data) {
        int evenLength = data.length & ~1;
        data[0] = 0;
        data[1] = 0;
        int checksum = Checksum.finish(Checksum.sum(MemorySegment.ofArray(data), 0, evenLength));
        data[0] = (byte) (checksum >>> 8);
        data[1] = (byte) checksum;
        assertTrue(Checksum.verifies(Checksum.sum(MemorySegment.ofArray(data), 0, evenLength)));
    }
}
