package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mtcp4j.stack.wire.FrameParser.Network;
import io.mtcp4j.stack.wire.FrameParser.Transport;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link FrameParser} with Jazzer: any bytes as an Ethernet frame.
 *
 * <p>In a normal build this runs in regression mode: once with the empty input and once per file
 * in {@code src/test/resources/io/mtcp4j/stack/wire/FrameParserFuzzTestInputs/parseFrame/}, which
 * holds valid and edge-case seed frames and every crash the fuzzer found (kept as regression
 * inputs once fixed). To fuzz, from the repository root:
 * <pre>
 *   JAZZER_FUZZ=1 ./mvnw -B -o -pl stack test -Dtest=FrameParserFuzzTest \
 *       -Dmaven.compiler.release=23 -Dmtcp4j.buildDirectory=/tmp/mtcp4j-fuzz
 * </pre>
 * Jazzer then mutates the seeds for {@code maxDuration}, keeps the inputs it found interesting in
 * {@code stack/.cifuzz-corpus/} (ignored by git) and writes any crash as {@code crash-<sha1>} into
 * the inputs directory: fix the bug, keep the file. The two extra {@code -D} settings are there because
 * Jazzer 0.24's bundled ASM reads class files up to Java 23 only: classes compiled for 25 are
 * left uninstrumented ("Unsupported class file major version 69"), which costs nothing in
 * regression mode but leaves fuzzing without coverage feedback. The wire code needs nothing
 * newer than 23 (nor do its tests), so the fuzzing build compiles for 23, into a build directory of its own.
 */
class FrameParserFuzzTest {
    /** Bytes in front of the frame's copy: a frame rarely starts at offset 0 of a receive buffer. */
    private static final int BYTES_BEFORE = 7;
    /** Bytes behind it, so a read past the frame's end finds something instead of failing loudly. */
    private static final int BYTES_AFTER = 9;

    /** One parser for every input, as the engine reuses its own: state left over from one frame must not leak into the next. */
    private static final FrameParser PARSER = new FrameParser();

    /**
     * Parsing never throws, in either checksum mode; after {@link Malformed#NONE} the parser's
     * invariants hold ({@link FrameInvariants}); and the same frame inside a larger buffer parses
     * the same way, the bytes around it never mattering.
     */
    @FuzzTest(maxDuration = "3m")
    void parseFrame(byte[] data) {
        MemorySegment exact = MemorySegment.ofArray(data);
        byte[] surrounded = new byte[BYTES_BEFORE + data.length + BYTES_AFTER];
        // Bytes that would pass for a frame's continuation: a length that ran on would read them, not fail.
        Arrays.fill(surrounded, (byte) 0x45);
        System.arraycopy(data, 0, surrounded, BYTES_BEFORE, data.length);
        MemorySegment inBuffer = MemorySegment.ofArray(surrounded);

        for (boolean verifyChecksums : new boolean[] {false, true}) {
            Malformed result = PARSER.parse(exact, 0, data.length, verifyChecksums);
            FrameInvariants.check(PARSER, result, exact, 0, data.length, verifyChecksums);
            Network network = PARSER.network();
            Transport transport = PARSER.transport();

            Malformed resultInBuffer = PARSER.parse(inBuffer, BYTES_BEFORE, data.length, verifyChecksums);
            FrameInvariants.check(PARSER, resultInBuffer, inBuffer, BYTES_BEFORE, data.length, verifyChecksums);
            assertEquals(result, resultInBuffer, "the bytes around a frame do not change its parse");
            assertEquals(network, PARSER.network());
            assertEquals(transport, PARSER.transport());
        }
    }
}
