package io.mtcp4j.stack.wire;

import static io.mtcp4j.stack.wire.TcpTestBytes.ipv4PseudoHeader;
import static io.mtcp4j.stack.wire.TcpTestBytes.naiveChecksum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.wire.TcpOptionSet.SackBlock;
import io.mtcp4j.stack.wire.TcpOptionSet.Timestamps;
import io.mtcp4j.stack.wire.TcpOptionSet.UnknownOption;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Round trips of random valid records, and random or truncated bytes that must never throw. */
class TcpPropertiesTest {
    private static final Set<Malformed> TCP_REASONS = EnumSet.of(Malformed.NONE, Malformed.TCP_TRUNCATED,
            Malformed.TCP_BAD_DATA_OFFSET, Malformed.TCP_OPTION_BAD_LENGTH, Malformed.TCP_OPTION_PAST_HEADER,
            Malformed.TCP_OPTION_WRONG_SIZE);

    private final TcpFlyweight tcp = new TcpFlyweight();

    // Generators.

    @Provide
    Arbitrary<TcpOptionSet> optionSets() {
        Arbitrary<Integer> mss = Arbitraries.oneOf(Arbitraries.just(TcpOptionSet.ABSENT),
                Arbitraries.integers().between(0, 0xffff));
        Arbitrary<Integer> windowScale = Arbitraries.oneOf(Arbitraries.just(TcpOptionSet.ABSENT),
                Arbitraries.integers().between(0, 0xff));
        Arbitrary<List<SackBlock>> sackBlocks = Combinators.combine(Arbitraries.integers(), Arbitraries.integers())
                .as(SackBlock::new).list().ofMaxSize(TcpOptions.MAX_SACK_BLOCKS);
        Arbitrary<Optional<Timestamps>> timestamps = timestamps();
        Arbitrary<Integer> unknownKinds = Arbitraries.integers().between(6, 255)
                .filter(kind -> kind != TcpOptions.KIND_TIMESTAMPS);
        Arbitrary<List<UnknownOption>> unknownOptions = Combinators.combine(unknownKinds,
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(12))
                .as(UnknownOption::new).list().ofMaxSize(2);
        return Combinators.combine(mss, windowScale, Arbitraries.of(true, false), sackBlocks, timestamps, unknownOptions)
                .as(TcpOptionSet::new)
                .filter(TcpOptionSet::fits);
    }

    @Provide
    Arbitrary<Optional<Timestamps>> timestamps() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers()).as(Timestamps::new).optional();
    }

    @Provide
    Arbitrary<TcpHeader> headers() {
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<int[]> ports = Combinators.combine(u16, u16).as((source, destination) -> new int[] {source, destination});
        return Combinators.combine(ports, Arbitraries.integers(), Arbitraries.integers(),
                        Arbitraries.integers().between(0, TcpFlyweight.FLAGS_MASK), u16, u16, u16, optionSets())
                .as((p, sequence, acknowledgment, flags, window, checksum, urgent, options) ->
                        new TcpHeader(p[0], p[1], sequence, acknowledgment, flags, window, checksum, urgent, options));
    }

    /** Option areas (whole words, up to 40 bytes): mostly plausible options, some corrupted, some noise. */
    @Provide
    Arbitrary<byte[]> optionAreas() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, plausibleOptionAreas()),
                Tuple.of(2, plausibleOptionAreas().flatMap(TcpPropertiesTest::corruptOneByte)),
                Tuple.of(2, smallByteNoise()));
    }

    /** Random options, each well formed on its own, in random order, cut or padded to whole words. */
    private static Arbitrary<byte[]> plausibleOptionAreas() {
        Arbitrary<Integer> u32 = Arbitraries.integers();
        Arbitrary<byte[]> option = Arbitraries.oneOf(
                Arbitraries.just(new byte[] {0}),                                         // EOL
                Arbitraries.just(new byte[] {1}),                                         // NOP
                Arbitraries.integers().between(0, 0xffff).map(m -> bytes(2, 4, m >> 8, m)), // MSS
                Arbitraries.integers().between(0, 0xff).map(s -> bytes(3, 3, s)),         // Window Scale
                Arbitraries.just(bytes(4, 2)),                                            // SACK-Permitted
                Combinators.combine(u32, u32).as((v, e) -> concat(bytes(8, 10), word(v), word(e))), // Timestamps
                u32.list().ofMinSize(2).ofMaxSize(8).filter(edges -> edges.size() % 2 == 0) // SACK
                        .map(edges -> {
                            byte[] sack = bytes(5, 2 + 4 * edges.size());
                            for (int edge : edges) {
                                sack = concat(sack, word(edge));
                            }
                            return sack;
                        }),
                Combinators.combine(Arbitraries.integers().between(6, 255), Arbitraries.bytes().array(byte[].class)
                        .ofMaxSize(8)).as((kind, data) -> concat(bytes(kind, data.length + 2), data))); // unknown
        return option.list().ofMaxSize(8).map(options -> {
            byte[] area = new byte[0];
            for (byte[] one : options) {
                area = concat(area, one);
            }
            int length = Math.min(TcpOptions.MAX_OPTIONS_LENGTH, (area.length + 3) & ~3);
            return Arrays.copyOf(area, length);
        });
    }

    private static Arbitrary<byte[]> corruptOneByte(byte[] area) {
        if (area.length == 0) {
            return Arbitraries.just(area);
        }
        return Combinators.combine(Arbitraries.integers().between(0, area.length - 1), Arbitraries.integers().between(0, 255))
                .as((index, value) -> {
                    byte[] corrupted = area.clone();
                    corrupted[index] = (byte) (int) value;
                    return corrupted;
                });
    }

    /** Bytes biased towards small values, so kinds and lengths near the interesting ones come up often. */
    private static Arbitrary<byte[]> smallByteNoise() {
        Arbitrary<Byte> oneByte = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0, 12)),
                Tuple.of(1, Arbitraries.integers().between(0, 255))).map(value -> (byte) (int) value);
        return Arbitraries.integers().between(0, 10)
                .flatMap(words -> oneByte.array(byte[].class).ofSize(4 * words));
    }

    // Round trips.

    @Property(tries = 500)
    void headerRecordsRoundTripThroughTheWire(@ForAll("headers") TcpHeader header, @ForAll @IntRange(max = 7) int offset) {
        byte[] buffer = new byte[offset + header.headerLength()];
        MemorySegment segment = MemorySegment.ofArray(buffer);
        assertEquals(header.headerLength(), header.writeTo(segment, offset));
        assertEquals(Malformed.NONE, tcp.wrap(segment, offset, header.headerLength()), header::toString);
        assertEquals(header.headerLength(), tcp.headerLength());
        assertEquals(0, tcp.payloadLength());
        assertEquals(header, TcpHeader.from(tcp));
        assertTrue(header.toString().contains(" seq "));
    }

    @Property(tries = 300)
    void segmentsWithChecksumVerifyAndRoundTrip(@ForAll("headers") TcpHeader header,
                                                @ForAll @Size(max = 64) byte[] payload,
                                                @ForAll int sourceAddress, @ForAll int destinationAddress) {
        TcpSegment original = new TcpSegment(header, payload);
        int length = original.length();
        byte[] bytes = new byte[length];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        long pseudo = Checksum.pseudoHeaderIpv4(sourceAddress, destinationAddress, TcpFlyweight.IP_PROTOCOL, length);
        original.writeWithChecksum(segment, 0, pseudo);

        assertEquals(Malformed.NONE, tcp.wrap(segment, 0, length));
        assertTrue(tcp.checksumValid(pseudo, length));
        // The naive reference agrees: pseudo-header plus segment, checksum included, sums to all ones.
        assertEquals(0, naiveChecksum(ipv4PseudoHeader(sourceAddress, destinationAddress, length), bytes));
        assertEquals(payload.length, tcp.payloadLength());
        assertEquals(new TcpSegment(header.withChecksum(tcp.checksum()), payload), TcpSegment.from(tcp));
    }

    @Property(tries = 300)
    void anySingleBitFlipFailsTheChecksum(@ForAll("headers") TcpHeader header, @ForAll @Size(max = 32) byte[] payload,
                                          @ForAll int sourceAddress, @ForAll @IntRange(min = 0) int bitChoice) {
        TcpSegment original = new TcpSegment(header, payload);
        int length = original.length();
        byte[] bytes = new byte[length];
        long pseudo = Checksum.pseudoHeaderIpv4(sourceAddress, ~sourceAddress, TcpFlyweight.IP_PROTOCOL, length);
        original.writeWithChecksum(MemorySegment.ofArray(bytes), 0, pseudo);
        int bit = bitChoice % (length * 8);
        bytes[bit / 8] ^= (byte) (1 << (bit % 8));
        assertFalse(tcp.wrapForWrite(MemorySegment.ofArray(bytes), 0).checksumValid(pseudo, length));
    }

    @Property(tries = 300)
    void writerOutputParsesBackToWhatWasSet(@ForAll @IntRange(min = -1, max = 0xffff) int mss,
                                            @ForAll @IntRange(min = -1, max = 0xff) int windowScale,
                                            @ForAll boolean sackPermitted, @ForAll("timestamps") Optional<Timestamps> timestamps,
                                            @ForAll @Size(max = 8) int[] sackEdges) {
        TcpOptionsWriter writer = new TcpOptionsWriter();
        if (mss >= 0) {
            writer.mss(mss);
        }
        if (windowScale >= 0) {
            writer.windowScale(windowScale);
        }
        if (sackPermitted) {
            writer.sackPermitted();
        }
        timestamps.ifPresent(ts -> writer.timestamps(ts.value(), ts.echoReply()));
        int blocks = sackEdges.length / 2;
        for (int i = 0; i < blocks; i++) {
            writer.sackBlock(sackEdges[2 * i], sackEdges[2 * i + 1]);
        }
        MemorySegment segment = MemorySegment.ofArray(new byte[TcpFlyweight.MAX_HEADER_LENGTH]);
        int length = writer.writeTo(tcp.wrapForWrite(segment, 0));
        assertTrue(length <= TcpOptions.MAX_OPTIONS_LENGTH && length % 4 == 0);

        assertEquals(Malformed.NONE, tcp.wrap(segment, 0, TcpFlyweight.MIN_HEADER_LENGTH + length));
        TcpOptions parsed = tcp.options();
        assertEquals(mss >= 0, parsed.hasMss());
        assertEquals(Math.max(mss, 0), parsed.mss());
        assertEquals(windowScale >= 0, parsed.hasWindowScale());
        assertEquals(Math.max(windowScale, 0), parsed.windowScale());
        assertEquals(sackPermitted, parsed.sackPermitted());
        assertEquals(timestamps.isPresent(), parsed.hasTimestamps());
        assertEquals(timestamps.map(Timestamps::value).orElse(0), parsed.timestampValue());
        assertEquals(timestamps.map(Timestamps::echoReply).orElse(0), parsed.timestampEchoReply());
        assertEquals(writer.sackBlocksThatFit(), parsed.sackBlockCount());
        assertTrue(parsed.sackBlockCount() == blocks || length > TcpOptions.MAX_OPTIONS_LENGTH - 8,
                "blocks are only left out when the next one would not fit");
        for (int i = 0; i < parsed.sackBlockCount(); i++) {
            assertEquals(sackEdges[2 * i], parsed.sackLeft(i));
            assertEquals(sackEdges[2 * i + 1], parsed.sackRight(i));
        }
    }

    // Hostile bytes.

    @Property(tries = 1000)
    void randomBytesAndEveryTruncationNeverThrow(@ForAll @Size(max = 80) byte[] bytes) {
        MemorySegment segment = MemorySegment.ofArray(bytes);
        for (int available = 0; available <= bytes.length; available++) {
            Malformed verdict = tcp.wrap(segment, 0, available);
            assertTrue(TCP_REASONS.contains(verdict), verdict::toString);
            if (verdict == Malformed.NONE) {
                assertTrue(tcp.headerLength() >= TcpFlyweight.MIN_HEADER_LENGTH);
                assertTrue(tcp.headerLength() <= available);
                assertEquals(available - tcp.headerLength(), tcp.payloadLength());
                assertTrue(tcp.options().sackBlockCount() <= TcpOptions.MAX_SACK_BLOCKS);
                assertNotNull(TcpSegment.from(tcp).toString());
            }
        }
    }

    @Property(tries = 300)
    void validHeadersCutShortAreTruncated(@ForAll("headers") TcpHeader header) {
        byte[] bytes = new byte[header.headerLength()];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        header.writeTo(segment, 0);
        for (int available = 0; available < bytes.length; available++) {
            assertEquals(Malformed.TCP_TRUNCATED, tcp.wrap(segment, 0, available));
        }
    }

    @Property(tries = 2000)
    void optionAreasParseAsTheReferenceReadingOfTheRfcs(@ForAll("optionAreas") byte[] options) {
        byte[] bytes = new byte[TcpFlyweight.MIN_HEADER_LENGTH + options.length];
        bytes[12] = (byte) ((TcpFlyweight.MIN_DATA_OFFSET_WORDS + options.length / 4) << 4);
        System.arraycopy(options, 0, bytes, TcpFlyweight.MIN_HEADER_LENGTH, options.length);
        Reference expected = referenceParse(options);

        Malformed verdict = tcp.wrap(MemorySegment.ofArray(bytes), 0, bytes.length);
        Statistics.collect(verdict);
        assertEquals(expected.verdict(), verdict);
        if (verdict == Malformed.NONE) {
            assertEquals(expected.options(), TcpOptionSet.from(tcp));
        }
        assertNotNull(TcpOptionSet.describe(MemorySegment.ofArray(options), 0, options.length));
    }

    /** What a reading of RFC 9293 3.1/3.2, RFC 7323 and RFC 2018 says the options are, or why they are not. */
    private record Reference(Malformed verdict, TcpOptionSet options) {}

    /**
     * A second, deliberately plain parser over a byte array, written from the RFC text and the
     * rules in {@link TcpOptions}'s class comment, to check the flyweight's parser against.
     */
    private static Reference referenceParse(byte[] area) {
        int mss = TcpOptionSet.ABSENT;
        int windowScale = TcpOptionSet.ABSENT;
        boolean sackPermitted = false;
        List<SackBlock> sackBlocks = List.of();
        Optional<Timestamps> timestamps = Optional.empty();
        List<UnknownOption> unknown = new ArrayList<>();
        int i = 0;
        while (i < area.length) {
            int kind = area[i] & 0xff;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 == area.length) {
                return new Reference(Malformed.TCP_OPTION_PAST_HEADER, null);
            }
            int length = area[i + 1] & 0xff;
            if (length < 2) {
                return new Reference(Malformed.TCP_OPTION_BAD_LENGTH, null);
            }
            if (i + length > area.length) {
                return new Reference(Malformed.TCP_OPTION_PAST_HEADER, null);
            }
            byte[] data = Arrays.copyOfRange(area, i + 2, i + length);
            boolean rightSize = switch (kind) {
                case 2 -> length == 4;
                case 3 -> length == 3;
                case 4 -> length == 2;
                case 5 -> length == 10 || length == 18 || length == 26 || length == 34;
                case 8 -> length == 10;
                default -> true;
            };
            if (!rightSize) {
                return new Reference(Malformed.TCP_OPTION_WRONG_SIZE, null);
            }
            switch (kind) {
                case 2 -> mss = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
                case 3 -> windowScale = data[0] & 0xff;
                case 4 -> sackPermitted = true;
                case 5 -> {
                    List<SackBlock> blocks = new ArrayList<>();
                    for (int at = 0; at < data.length; at += 8) {
                        blocks.add(new SackBlock(intAt(data, at), intAt(data, at + 4)));
                    }
                    sackBlocks = blocks;
                }
                case 8 -> timestamps = Optional.of(new Timestamps(intAt(data, 0), intAt(data, 4)));
                default -> unknown.add(new UnknownOption(kind, data));
            }
            i += length;
        }
        return new Reference(Malformed.NONE,
                new TcpOptionSet(mss, windowScale, sackPermitted, sackBlocks, timestamps, unknown));
    }

    private static int intAt(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static byte[] word(int value) {
        return bytes(value >>> 24, value >>> 16, value >>> 8, value);
    }

    private static byte[] concat(byte[]... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] piece : pieces) {
            out.writeBytes(piece);
        }
        return out.toByteArray();
    }
}
