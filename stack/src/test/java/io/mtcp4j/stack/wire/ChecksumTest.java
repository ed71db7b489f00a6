package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Internet checksum against RFC 1071's and RFC 1624's worked examples, a real IPv4 header, and
 * a deliberately naive reference (big-endian 16-bit words, end-around carry after every add) that
 * the fast native-order {@link Checksum#sum} must match exactly, on heap and native segments.
 */
class ChecksumTest {

    // ---------------------------------------------------------------------------------------------
    // Reference implementation: RFC 1071 section 1 read literally, one big-endian word at a time.

    /** Ones' complement sum of {@code length} bytes as big-endian words; odd final byte padded with zero. */
    static int referenceSum(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            int high = data[offset + i] & 0xff;
            int low = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
            sum += (high << 8) | low;
            if (sum > 0xffff) {
                sum = (sum & 0xffff) + 1; // end-around carry
            }
        }
        return sum;
    }

    static int referenceChecksum(byte[] data) {
        return ~referenceSum(data, 0, data.length) & 0xffff;
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** A native copy of {@code data}; the arena owns it. */
    static MemorySegment nativeCopy(Arena arena, byte[] data) {
        MemorySegment segment = arena.allocate(Math.max(1, data.length), 1);
        MemorySegment.copy(data, 0, segment, ValueLayout.JAVA_BYTE, 0, data.length);
        return segment.asSlice(0, data.length);
    }

    // ---------------------------------------------------------------------------------------------
    // Known answers

    @Test
    void rfc1071Section3NumericalExample() {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7.
        // Big-endian words 0001 + f203 + f4f5 + f6f7 = 2ddf0; end-around carry: ddf0 + 2 = ddf2.
        byte[] data = hex("00 01 f2 03 f4 f5 f6 f7");
        assertEquals(0xddf2, referenceSum(data, 0, data.length), "the reference itself");
        assertEquals(0xddf2, Checksum.sum(MemorySegment.ofArray(data), 0, data.length));
        assertEquals(0xddf2, Checksum.fold(Checksum.sum(MemorySegment.ofArray(data), 0, data.length)));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(0xddf2, Checksum.sum(nativeCopy(arena, data), 0, data.length));
        }
        // The RFC's "swapped order" column: the same bytes read as little-endian words sum to
        // f2dd, the byte swap of ddf2 (section 2(B), the fact the fast sum relies on).
        byte[] swapped = hex("01 00 03 f2 f5 f4 f7 f6");
        assertEquals(0xf2dd, Checksum.sum(MemorySegment.ofArray(swapped), 0, swapped.length));
        assertEquals(0x220d, Checksum.finish(Checksum.sum(MemorySegment.ofArray(data), 0, data.length)));
    }

    @Test
    void rfc1071ExampleAtEveryOffsetOfALargerBuffer() {
        byte[] example = hex("00 01 f2 03 f4 f5 f6 f7");
        for (int offset = 0; offset < 17; offset++) {
            byte[] buffer = new byte[offset + example.length + 9];
            Arrays.fill(buffer, (byte) 0x5a); // noise around the example that must not be read
            System.arraycopy(example, 0, buffer, offset, example.length);
            assertEquals(0xddf2, Checksum.sum(MemorySegment.ofArray(buffer), offset, example.length), "offset " + offset);
        }
    }

    /** A captured IPv4 header (UDP, 192.168.0.1 -> 192.168.0.199) with checksum 0xb861. */
    static final byte[] IPV4_HEADER = hex(
            "45 00"       // version 4, IHL 5 (20 bytes); DSCP/ECN 0
            + "00 73"     // total length 115
            + "00 00"     // identification 0
            + "40 00"     // flags DF, fragment offset 0
            + "40 11"     // TTL 64, protocol 17 (UDP)
            + "b8 61"     // header checksum 0xb861
            + "c0 a8 00 01"   // source 192.168.0.1
            + "c0 a8 00 c7"); // destination 192.168.0.199

    static final int IPV4_CHECKSUM_OFFSET = 10;

    @Test
    void realIpv4HeaderVerifies() {
        MemorySegment heap = MemorySegment.ofArray(IPV4_HEADER);
        assertEquals(0xffff, Checksum.sum(heap, 0, 20));
        assertTrue(Checksum.verifies(Checksum.sum(heap, 0, 20)));
        try (Arena arena = Arena.ofConfined()) {
            assertTrue(Checksum.verifies(Checksum.sum(nativeCopy(arena, IPV4_HEADER), 0, 20)));
        }
    }

    @Test
    void realIpv4HeaderWithChecksumZeroedFinishesToTheChecksum() {
        byte[] zeroed = IPV4_HEADER.clone();
        zeroed[IPV4_CHECKSUM_OFFSET] = 0;
        zeroed[IPV4_CHECKSUM_OFFSET + 1] = 0;
        // 4500 + 0073 + 0000 + 4000 + 4011 + 0000 + c0a8 + 0001 + c0a8 + 00c7 = 2479c -> 479e; ~479e = b861
        assertEquals(0x479e, Checksum.sum(MemorySegment.ofArray(zeroed), 0, 20));
        assertEquals(0xb861, Checksum.finish(Checksum.sum(MemorySegment.ofArray(zeroed), 0, 20)));
        assertFalse(Checksum.verifies(Checksum.sum(MemorySegment.ofArray(zeroed), 0, 20)));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(0xb861, Checksum.finish(Checksum.sum(nativeCopy(arena, zeroed), 0, 20)));
        }
    }

    @Test
    void corruptedIpv4HeaderDoesNotVerify() {
        for (int bit = 0; bit < 20 * 8; bit++) {
            byte[] corrupted = IPV4_HEADER.clone();
            corrupted[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(Checksum.verifies(Checksum.sum(MemorySegment.ofArray(corrupted), 0, 20)), "bit " + bit);
        }
    }

    @Test
    void oddLengthPadsTheFinalByteWithZero() {
        // 3 bytes ab cd ef = words abcd + ef00 = 19acd -> 9ace.
        byte[] data = hex("ab cd ef");
        assertEquals(0x9ace, Checksum.sum(MemorySegment.ofArray(data), 0, 3));
        // A single byte is the high byte of its word.
        assertEquals(0xef00, Checksum.sum(MemorySegment.ofArray(data), 2, 1));
        assertEquals(0xab00, Checksum.sum(MemorySegment.ofArray(data), 0, 1));
        // 1 + 4 + 2 + 1 bytes of tail after a whole 8-byte word: 15 bytes.
        byte[] fifteen = hex("01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f");
        assertEquals(referenceSum(fifteen, 0, 15), Checksum.sum(MemorySegment.ofArray(fifteen), 0, 15));
        // high bytes 01+03+...+0f = 40, low bytes 02+04+...+0e+00 = 38: 4038
        assertEquals(0x4038, Checksum.sum(MemorySegment.ofArray(fifteen), 0, 15));
    }

    @Test
    void emptyRangeSumsToZero() {
        byte[] data = {1, 2, 3};
        assertEquals(0, Checksum.sum(MemorySegment.ofArray(data), 0, 0));
        assertEquals(0, Checksum.sum(MemorySegment.ofArray(data), 3, 0));
        assertEquals(0xffff, Checksum.finish(0));
    }

    @Test
    void allZeroDataSumsToPositiveZeroAndAllOnesToNegativeZero() {
        // Ones' complement has two zeros: the sum is 0x0000 only if every byte is zero, 0xffff otherwise.
        for (int length : new int[] {2, 31, 32, 64, 1500, 4096}) {
            assertEquals(0, Checksum.sum(MemorySegment.ofArray(new byte[length]), 0, length));
            byte[] ones = new byte[length];
            Arrays.fill(ones, (byte) 0xff);
            assertEquals(referenceSum(ones, 0, length), Checksum.sum(MemorySegment.ofArray(ones), 0, length));
        }
        assertEquals(0xffff, Checksum.sum(MemorySegment.ofArray(hex("ff ff")), 0, 2));
    }

    @Test
    void rangeOutsideTheSegmentThrows() {
        MemorySegment segment = MemorySegment.ofArray(new byte[10]);
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(segment, 0, 11));
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(segment, 9, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(segment, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(segment, 2, -1));
    }

    // ---------------------------------------------------------------------------------------------
    // Fast sum against the reference

    @Test
    void everyLengthUpTo200AtRandomOffsetsMatchesTheReferenceOnHeapAndNative() {
        Random random = new Random(1071);
        try (Arena arena = Arena.ofConfined()) {
            for (int length = 0; length <= 200; length++) {
                for (int trial = 0; trial < 8; trial++) {
                    int offset = random.nextInt(24);
                    byte[] buffer = new byte[offset + length + random.nextInt(9)];
                    random.nextBytes(buffer);
                    int expected = referenceSum(buffer, offset, length);
                    assertEquals(expected, Checksum.sum(MemorySegment.ofArray(buffer), offset, length),
                            "heap length " + length + " offset " + offset);
                    assertEquals(expected, Checksum.sum(nativeCopy(arena, buffer), offset, length),
                            "native length " + length + " offset " + offset);
                }
            }
        }
    }

    @Test
    void largeBuffersMatchTheReference() {
        Random random = new Random(42);
        try (Arena arena = Arena.ofConfined()) {
            for (int length : new int[] {1499, 1500, 9000, 65535, 65536, 1 << 20}) {
                byte[] buffer = new byte[length + 3];
                random.nextBytes(buffer);
                for (int offset = 0; offset < 3; offset++) {
                    assertEquals(referenceSum(buffer, offset, length),
                            Checksum.sum(MemorySegment.ofArray(buffer), offset, length), "heap " + length);
                    assertEquals(referenceSum(buffer, offset, length),
                            Checksum.sum(nativeCopy(arena, buffer), offset, length), "native " + length);
                }
            }
        }
    }

    @Test
    void summingInChunksKeepsTheSum() {
        // Real chunks are 1 GiB; small ones exercise the same add-the-chunks path.
        Random random = new Random(7);
        for (int length : new int[] {1, 7, 8, 9, 31, 32, 33, 64, 95, 1000, 4099}) {
            byte[] buffer = new byte[length + 1];
            random.nextBytes(buffer);
            if (length == 4099) {
                Arrays.fill(buffer, (byte) 0xff); // every add carries
            }
            for (long chunkBytes : new long[] {2, 8, 30, 64, 1024}) {
                assertEquals(referenceSum(buffer, 1, length),
                        Checksum.sumInChunks(MemorySegment.ofArray(buffer), 1, length, chunkBytes),
                        "length " + length + " chunk " + chunkBytes);
            }
        }
    }

    @Test
    void everyKindOfSegmentGivesTheSameSum(@TempDir Path directory) throws IOException {
        // sum has a loop per segment kind (native, byte[] heap, anything else): all must agree.
        Random random = new Random(11);
        byte[] bytes = new byte[1503];
        random.nextBytes(bytes);
        Path file = directory.resolve("bytes");
        Files.write(file, bytes);
        long[] longs = new long[bytes.length / 8 + 1];
        MemorySegment longArray = MemorySegment.ofArray(longs);
        MemorySegment.copy(bytes, 0, longArray, ValueLayout.JAVA_BYTE, 0, bytes.length);
        try (Arena arena = Arena.ofConfined(); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
            MemorySegment[] kinds = {
                MemorySegment.ofArray(bytes), nativeCopy(arena, bytes), longArray, mapped,
                MemorySegment.ofArray(bytes).asReadOnly(), MemorySegment.ofBuffer(ByteBuffer.wrap(bytes)),
            };
            for (int offset = 0; offset < 9; offset++) {
                for (int length : new int[] {0, 1, 20, 63, 64, 1494}) {
                    int expected = referenceSum(bytes, offset, length);
                    for (MemorySegment kind : kinds) {
                        assertEquals(expected, Checksum.sum(kind, offset, length),
                                kind.getClass().getSimpleName() + " offset " + offset + " length " + length);
                    }
                }
            }
        }
    }

    @Test
    void evenLengthPiecesAddUpToTheWhole() {
        Random random = new Random(3);
        byte[] buffer = new byte[1501];
        random.nextBytes(buffer);
        MemorySegment segment = MemorySegment.ofArray(buffer);
        long whole = Checksum.sum(segment, 0, buffer.length);
        for (int trial = 0; trial < 200; trial++) {
            long partial = 0;
            int start = 0;
            while (start < buffer.length) {
                int pieceLength = Math.min(buffer.length - start, 2 * random.nextInt(60));
                partial = Checksum.add(partial, Checksum.sum(segment, start, pieceLength));
                start += pieceLength;
            }
            assertEquals(Checksum.fold(whole), Checksum.fold(partial));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Pseudo-headers

    @Test
    void ipv4PseudoHeaderByHand() {
        int source = 0xc0a80001;      // 192.168.0.1
        int destination = 0xc0a800c7; // 192.168.0.199
        // c0a8 + 0001 + c0a8 + 00c7 + 0011 (zero, protocol 17) + 005f (length 95) = 18288 -> 8289
        long pseudo = Checksum.pseudoHeaderIpv4(source, destination, 17, 95);
        assertEquals(0x8289, Checksum.fold(pseudo));
        // The same 12 bytes laid out as RFC 768 draws them.
        byte[] laidOut = hex("c0 a8 00 01  c0 a8 00 c7  00 11 00 5f");
        assertEquals(referenceSum(laidOut, 0, 12), Checksum.fold(pseudo));
    }

    @Test
    void ipv4PseudoHeaderPlusSegmentVerifiesOnceTheChecksumIsWritten() {
        // A UDP datagram 10.0.0.1:1234 -> 10.0.0.2:80 carrying "hi!" (odd length).
        byte[] udp = hex("04 d2 00 50 00 0b 00 00 68 69 21");
        int source = 0x0a000001;
        int destination = 0x0a000002;
        long pseudo = Checksum.pseudoHeaderIpv4(source, destination, 17, udp.length);
        int checksum = Checksum.finish(Checksum.add(pseudo, Checksum.sum(MemorySegment.ofArray(udp), 0, udp.length)));
        byte[] whole = hex("0a 00 00 01 0a 00 00 02 00 11 00 0b 04 d2 00 50 00 0b 00 00 68 69 21");
        assertEquals(referenceChecksum(whole), checksum);
        udp[6] = (byte) (checksum >>> 8);
        udp[7] = (byte) checksum;
        assertTrue(Checksum.verifies(Checksum.add(pseudo, Checksum.sum(MemorySegment.ofArray(udp), 0, udp.length))));
    }

    /** RFC 8200 8.1: source, destination, 32-bit upper-layer length, 3 zero bytes, next header. */
    static byte[] ipv6PseudoHeaderBytes(byte[] source, byte[] destination, long upperLayerLength, int nextHeader) {
        byte[] pseudo = new byte[40];
        System.arraycopy(source, 0, pseudo, 0, 16);
        System.arraycopy(destination, 0, pseudo, 16, 16);
        pseudo[32] = (byte) (upperLayerLength >>> 24);
        pseudo[33] = (byte) (upperLayerLength >>> 16);
        pseudo[34] = (byte) (upperLayerLength >>> 8);
        pseudo[35] = (byte) upperLayerLength;
        pseudo[39] = (byte) nextHeader;
        return pseudo;
    }

    @Test
    void ipv6PseudoHeaderMatchesTheReference() {
        byte[] source = hex("fe80 0000 0000 0000 0211 22ff fe33 4455");      // fe80::211:22ff:fe33:4455
        byte[] destination = hex("2001 0db8 0000 0000 0000 0000 0000 0001"); // 2001:db8::1
        for (long upperLayerLength : new long[] {0, 20, 1280, 0xffff, 0x10000, 0x12345678L, 0xffffffffL}) {
            long pseudo = Checksum.pseudoHeaderIpv6(MemorySegment.ofArray(source), 0,
                    MemorySegment.ofArray(destination), 0, 6, upperLayerLength);
            assertEquals(referenceSum(ipv6PseudoHeaderBytes(source, destination, upperLayerLength, 6), 0, 40),
                    Checksum.fold(pseudo), "length " + upperLayerLength);
        }
    }

    @Test
    void ipv6PseudoHeaderReadsAddressesAtAnyOffsetOfHeapOrNativeSegments() {
        // The addresses as they sit in an IPv6 header: source at 8, destination at 24.
        byte[] header = new byte[40 + 5];
        new Random(8200).nextBytes(header);
        byte[] source = Arrays.copyOfRange(header, 8, 24);
        byte[] destination = Arrays.copyOfRange(header, 24, 40);
        int expected = referenceSum(ipv6PseudoHeaderBytes(source, destination, 1500, 17), 0, 40);
        assertEquals(expected, Checksum.fold(Checksum.pseudoHeaderIpv6(
                MemorySegment.ofArray(header), 8, MemorySegment.ofArray(header), 24, 17, 1500)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeHeader = nativeCopy(arena, header);
            assertEquals(expected, Checksum.fold(Checksum.pseudoHeaderIpv6(
                    nativeHeader, 8, nativeHeader, 24, 17, 1500)));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 1624 incremental update

    @Test
    void rfc1624Section4ExampleGivesPositiveZeroNotNegativeZero() {
        // Other header octets sum to 0xcd7a; a field m = 0x5555 changes to m' = 0x3285.
        // Laid out as: [cd 7a] [field] [checksum].
        byte[] before = hex("cd 7a 55 55 00 00");
        int oldChecksum = referenceChecksum(before);
        assertEquals(0xdd2f, oldChecksum); // ~(cd7a + 5555) = ~22d0
        byte[] after = hex("cd 7a 32 85 00 00");
        int recomputed = Checksum.finish(Checksum.sum(MemorySegment.ofArray(after), 0, 6));
        assertEquals(0x0000, recomputed); // ~(cd7a + 3285) = ~ffff
        // Eqn. 2 (HC - ~m - m') would give 0xffff here; eqn. 3 gives the recomputed 0x0000.
        assertEquals(0x0000, Checksum.update16(oldChecksum, 0x5555, 0x3285));
        after[4] = 0;
        after[5] = 0;
        assertTrue(Checksum.verifies(Checksum.sum(MemorySegment.ofArray(after), 0, 6)));
    }

    @Test
    void update16OnTheRealIpv4HeaderDecrementingTtl() {
        // Routers decrement TTL: the word at offset 8 goes from 4011 to 3f11.
        byte[] header = IPV4_HEADER.clone();
        int updated = Checksum.update16(0xb861, 0x4011, 0x3f11);
        header[8] = 0x3f;
        header[10] = 0;
        header[11] = 0;
        assertEquals(Checksum.finish(Checksum.sum(MemorySegment.ofArray(header), 0, 20)), updated);
        assertEquals(0xb961, updated);
    }

    @Test
    void update32OnTheRealIpv4HeaderRewritingTheSource() {
        // NAT rewrites the source 192.168.0.1 -> 10.1.2.3.
        byte[] header = IPV4_HEADER.clone();
        int updated = Checksum.update32(0xb861, 0xc0a80001, 0x0a010203);
        header[12] = 10;
        header[13] = 1;
        header[14] = 2;
        header[15] = 3;
        header[10] = 0;
        header[11] = 0;
        assertEquals(referenceChecksum(header), updated);
    }

    @Test
    void randomUpdatesEqualRecomputation() {
        Random random = new Random(1624);
        for (int trial = 0; trial < 10_000; trial++) {
            byte[] header = randomHeader(random);
            boolean wide = random.nextBoolean();
            int fieldOffset = 2 * (1 + random.nextInt(wide ? 8 : 9)); // any word but 0 (version) and 10-11
            if (fieldOffset == IPV4_CHECKSUM_OFFSET || (wide && fieldOffset + 2 == IPV4_CHECKSUM_OFFSET)) {
                continue;
            }
            int newValue = random.nextInt();
            assertUpdateMatchesRecomputation(header, fieldOffset, wide, newValue);
        }
    }

    /** 20 random bytes with the version/IHL byte of a real header (never all zero) and checksum filled in. */
    static byte[] randomHeader(Random random) {
        byte[] header = new byte[20];
        random.nextBytes(header);
        header[0] = 0x45;
        fillChecksum(header);
        return header;
    }

    static void fillChecksum(byte[] header) {
        header[IPV4_CHECKSUM_OFFSET] = 0;
        header[IPV4_CHECKSUM_OFFSET + 1] = 0;
        int checksum = referenceChecksum(header);
        header[IPV4_CHECKSUM_OFFSET] = (byte) (checksum >>> 8);
        header[IPV4_CHECKSUM_OFFSET + 1] = (byte) checksum;
    }

    static void assertUpdateMatchesRecomputation(byte[] header, int fieldOffset, boolean wide, int newValue) {
        MemorySegment segment = MemorySegment.ofArray(header);
        int oldChecksum = NetworkOrder.u16(segment, IPV4_CHECKSUM_OFFSET);
        int updated;
        if (wide) {
            int oldValue = NetworkOrder.u32AsInt(segment, fieldOffset);
            updated = Checksum.update32(oldChecksum, oldValue, newValue);
            NetworkOrder.u32(segment, fieldOffset, newValue);
        } else {
            int oldWord = NetworkOrder.u16(segment, fieldOffset);
            updated = Checksum.update16(oldChecksum, oldWord, newValue & 0xffff);
            NetworkOrder.u16(segment, fieldOffset, newValue & 0xffff);
        }
        fillChecksum(header);
        assertEquals(NetworkOrder.u16(segment, IPV4_CHECKSUM_OFFSET), updated,
                "field at " + fieldOffset + (wide ? " (32-bit)" : " (16-bit)"));
        assertTrue(Checksum.verifies(Checksum.sum(segment, 0, 20)));
    }

    /** RFC 1071's end-around carry as a loop: add the bits above 16 back in until none are left. */
    static int referenceFold(long partial) {
        long s = partial;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    @Test
    void foldEdgeCases() {
        for (long partial : new long[] {0, 1, 0xffff, 0x10000, 0x1fffe, 0xffff_ffffL, 0x1_0000_0000L,
                                        0x1_ffff_fffeL, Long.MAX_VALUE, Long.MIN_VALUE, -1L}) {
            assertEquals(referenceFold(partial), Checksum.fold(partial), Long.toHexString(partial));
        }
        assertEquals(0xffff, Checksum.fold(-1L)); // nonzero never folds to zero
        assertEquals(0, Checksum.fold(0));
    }
}
