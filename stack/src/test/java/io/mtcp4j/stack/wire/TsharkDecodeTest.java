package io.mtcp4j.stack.wire;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mtcp4j.stack.wire.PcapWriter.TimestampPrecision;
import io.mtcp4j.stack.wire.TestFrames.Tcp;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Cross-checks {@link PcapWriter} (and {@link TestFrames}) against an independent decoder: a capture
 * of a small TCP conversation must read back in tshark with every field we put in, good IPv4 and
 * TCP checksums, and no warnings or malformed-packet reports.
 *
 * <p>Skipped with a reason when tshark is not on PATH, except when {@code CI=true}: CI installs
 * tshark, so there a missing tshark is a failure rather than a silently skipped check.
 */
class TsharkDecodeTest {
    private static final long TSHARK_TIMEOUT_SECONDS = 60;

    private static final long CLIENT_MAC = 0x02_00_00_00_00_01L; // locally administered
    private static final long SERVER_MAC = 0x02_00_00_00_00_02L;
    private static final int CLIENT_IPV4 = TestFrames.ipv4Address(10, 10, 0, 1);
    private static final int SERVER_IPV4 = TestFrames.ipv4Address(10, 10, 0, 2);
    private static final byte[] CLIENT_IPV6 = ipv6WithLastByte(1); // fd00::1
    private static final byte[] SERVER_IPV6 = ipv6WithLastByte(2); // fd00::2
    private static final byte[] NO_PAYLOAD = {};

    /** 2023-11-14T22:13:20.123456789Z; frames follow 1.00025 ms apart. */
    private static final long FIRST_TIMESTAMP_NS = 1_700_000_000_123_456_789L;
    private static final long FRAME_SPACING_NS = 1_000_250L;

    /**
     * The fields asked of tshark, in output order. The expert message comes last because it is
     * free text that may itself contain the separator.
     */
    private static final List<String> FIELDS = List.of(
            "frame.time_epoch", "frame.len", "frame.cap_len",
            "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
            "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw",
            "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.sack_perm",
            "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr", "tcp.payload",
            "tcp.checksum.status", "ip.checksum.status",
            "_ws.expert.severity", "_ws.expert.message");

    /** Wireshark's PI_WARN: expert infos at or above it mean the dissector found something wrong. */
    private static final long EXPERT_SEVERITY_WARN = 0x00600000L;

    @TempDir
    Path directory;

    /** One decoded frame, normalised so the test does not depend on how a tshark version prints numbers. */
    record Decoded(String epochSeconds, int frameLength, int capturedLength,
                   String ipSource, String ipDestination, String ipv6Source, String ipv6Destination,
                   int sourcePort, int destinationPort, int tcpFlags, long sequence, long acknowledgment,
                   String maximumSegmentSize, String windowShift, boolean sackPermitted,
                   String timestampValue, String timestampEchoReply, String payloadHex,
                   String tcpChecksum, String ipChecksum) {}

    record Expert(List<Long> severities, List<String> messages) {}

    @ParameterizedTest
    @EnumSource(TimestampPrecision.class)
    void tsharkDecodesEveryFieldOfTheCapturedConversation(TimestampPrecision precision) throws Exception {
        Path tshark = locateTshark(System.getenv("PATH"), System.getenv("CI"));
        Path capture = directory.resolve("conversation-" + precision.name().toLowerCase(Locale.ROOT) + ".pcap");
        try (PcapWriter writer = PcapWriter.open(capture, precision, PcapWriter.MAXIMUM_SNAP_LENGTH)) {
            long timestampNs = FIRST_TIMESTAMP_NS;
            for (byte[] frame : conversation()) {
                writer.write(timestampNs, MemorySegment.ofArray(frame), 0, frame.length);
                timestampNs += FRAME_SPACING_NS;
            }
        }

        List<String> lines = runTshark(tshark, capture);

        boolean nanoseconds = precision == TimestampPrecision.NANOSECONDS;
        List<Decoded> expected = List.of(
                // SYN with Linux's option block.
                new Decoded(nanoseconds ? "1700000000.123456789" : "1700000000.123456", 74, 74,
                        "10.10.0.1", "10.10.0.2", "", "",
                        40000, 8080, TestFrames.SYN, 1000, 0,
                        "1460", "7", true, "12345", "0", "",
                        "Good", "Good"),
                // SYN-ACK echoing the client's timestamp.
                new Decoded(nanoseconds ? "1700000000.124457039" : "1700000000.124457", 74, 74,
                        "10.10.0.2", "10.10.0.1", "", "",
                        8080, 40000, TestFrames.SYN | TestFrames.ACK, 5000, 1001,
                        "1460", "7", true, "67890", "12345", "",
                        "Good", "Good"),
                // ACK + PSH carrying "hello".
                new Decoded(nanoseconds ? "1700000000.125457289" : "1700000000.125457", 71, 71,
                        "10.10.0.1", "10.10.0.2", "", "",
                        40000, 8080, TestFrames.ACK | TestFrames.PSH, 1001, 5001,
                        "", "", false, "12346", "67890", "68656c6c6f",
                        "Good", "Good"),
                // FIN + ACK after the 5 data bytes.
                new Decoded(nanoseconds ? "1700000000.126457539" : "1700000000.126457", 66, 66,
                        "10.10.0.1", "10.10.0.2", "", "",
                        40000, 8080, TestFrames.FIN | TestFrames.ACK, 1006, 5001,
                        "", "", false, "12347", "67890", "",
                        "Good", "Good"),
                // IPv6 SYN: no IPv4 header, so no IPv4 checksum status.
                new Decoded(nanoseconds ? "1700000000.127457789" : "1700000000.127457", 94, 94,
                        "", "", "fd00::1", "fd00::2",
                        40001, 8080, TestFrames.SYN, 7000, 0,
                        "1440", "7", true, "22222", "0", "",
                        "Good", ""));

        assertEquals(expected.size(), lines.size(), () -> "tshark output:\n" + String.join("\n", lines));
        for (int i = 0; i < expected.size(); i++) {
            String line = lines.get(i);
            assertEquals(expected.get(i), decode(line), "frame " + (i + 1) + ": " + line);
            Expert expert = expert(line);
            for (int j = 0; j < expert.severities().size(); j++) {
                assertTrue(expert.severities().get(j) < EXPERT_SEVERITY_WARN,
                        "frame " + (i + 1) + " has a warning or error: " + line);
            }
            for (String message : expert.messages()) {
                assertFalse(message.toLowerCase(Locale.ROOT).contains("malformed"),
                        "frame " + (i + 1) + " is malformed: " + line);
            }
        }
    }

    /** Client 10.10.0.1:40000 opens to 10.10.0.2:8080, sends "hello", closes; then one IPv6 SYN. */
    static List<byte[]> conversation() {
        return List.of(
                TestFrames.ipv4(CLIENT_MAC, SERVER_MAC, CLIENT_IPV4, SERVER_IPV4, 1,
                        new Tcp(40000, 8080, 1000, 0, TestFrames.SYN, 64240,
                                TestFrames.synOptions(1460, 12345, 0, 7), NO_PAYLOAD)),
                TestFrames.ipv4(SERVER_MAC, CLIENT_MAC, SERVER_IPV4, CLIENT_IPV4, 0x2001,
                        new Tcp(8080, 40000, 5000, 1001, TestFrames.SYN | TestFrames.ACK, 65160,
                                TestFrames.synOptions(1460, 67890, 12345, 7), NO_PAYLOAD)),
                TestFrames.ipv4(CLIENT_MAC, SERVER_MAC, CLIENT_IPV4, SERVER_IPV4, 2,
                        new Tcp(40000, 8080, 1001, 5001, TestFrames.ACK | TestFrames.PSH, 502,
                                TestFrames.timestampOptions(12346, 67890), "hello".getBytes(US_ASCII))),
                TestFrames.ipv4(CLIENT_MAC, SERVER_MAC, CLIENT_IPV4, SERVER_IPV4, 3,
                        new Tcp(40000, 8080, 1006, 5001, TestFrames.FIN | TestFrames.ACK, 502,
                                TestFrames.timestampOptions(12347, 67890), NO_PAYLOAD)),
                TestFrames.ipv6(CLIENT_MAC, SERVER_MAC, CLIENT_IPV6, SERVER_IPV6,
                        new Tcp(40001, 8080, 7000, 0, TestFrames.SYN, 64800,
                                TestFrames.synOptions(1440, 22222, 0, 7), NO_PAYLOAD)));
    }

    static List<String> tsharkCommand(Path tshark, Path capture) {
        List<String> command = new ArrayList<>(List.of(tshark.toString(), "-n", "-r", capture.toString(),
                "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                // Fields separated by ",", repeated values of one field (expert infos) by "|".
                "-T", "fields", "-E", "separator=,", "-E", "aggregator=|"));
        for (String field : FIELDS) {
            command.add("-e");
            command.add(field);
        }
        return command;
    }

    private List<String> runTshark(Path tshark, Path capture) throws IOException, InterruptedException {
        // Output to files, not pipes, so a chatty tshark can never block on a full pipe.
        Path stdout = directory.resolve("tshark.out");
        Path stderr = directory.resolve("tshark.err");
        Process process = new ProcessBuilder(tsharkCommand(tshark, capture))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(TSHARK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("tshark did not finish within " + TSHARK_TIMEOUT_SECONDS + " s; stderr: " + readQuietly(stderr));
        }
        assertEquals(0, process.exitValue(), () -> "tshark failed; stderr: " + readQuietly(stderr));
        return Files.readAllLines(stdout, UTF_8).stream().filter(line -> !line.isBlank()).toList();
    }

    private static Decoded decode(String line) {
        String[] f = line.split(",", FIELDS.size());
        assertEquals(FIELDS.size(), f.length, "field count in: " + line);
        return new Decoded(
                new BigDecimal(f[0]).stripTrailingZeros().toPlainString(),
                Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                f[3], f[4], f[5], f[6],
                Integer.parseInt(f[7]), Integer.parseInt(f[8]),
                Integer.decode(f[9]), // "0x0012" in tshark 4.0
                Long.parseLong(f[10]), Long.parseLong(f[11]),
                f[12], f[13],
                !f[14].isEmpty(), // the option is a protocol item: present or absent
                f[15], f[16], f[17],
                checksumStatus(f[18]), checksumStatus(f[19]));
    }

    private static Expert expert(String line) {
        String[] f = line.split(",", FIELDS.size());
        String severities = f[FIELDS.size() - 2];
        String messages = f[FIELDS.size() - 1];
        List<Long> severityValues = severities.isEmpty()
                ? List.of()
                : Arrays.stream(severities.split("\\|")).map(Long::decode).toList();
        return new Expert(severityValues, messages.isEmpty() ? List.of() : List.of(messages.split("\\|")));
    }

    /** tshark prints the checksum status as its number (0 bad, 1 good, 2 unverified) or its name. */
    private static String checksumStatus(String field) {
        return switch (field) {
            case "0" -> "Bad";
            case "1" -> "Good";
            case "2" -> "Unverified";
            default -> field;
        };
    }

    // ---- finding tshark -------------------------------------------------------------------------

    /**
     * The tshark executable on {@code pathVariable}; when there is none, aborts the test (reported
     * as skipped) or, when {@code ciVariable} is {@code "true"}, fails it.
     */
    static Path locateTshark(String pathVariable, String ciVariable) {
        if (pathVariable != null) {
            for (String entry : pathVariable.split(File.pathSeparator)) {
                if (entry.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(entry, "tshark");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String reason = "tshark is not on PATH, so the pcap cross-check cannot run"
                + " (install it, e.g. apt-get install tshark)";
        if ("true".equalsIgnoreCase(ciVariable)) {
            fail(reason + "; CI=true, and CI installs tshark, so this must not be skipped");
        }
        return Assumptions.abort(reason);
    }

    @Test
    void missingTsharkSkipsOutsideCi(@TempDir Path emptyDirectory) {
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> locateTshark(emptyDirectory.toString(), null));
        assertTrue(skipped.getMessage().contains("tshark is not on PATH"), skipped.getMessage());
        assertThrows(TestAbortedException.class, () -> locateTshark(emptyDirectory.toString(), "false"));
    }

    @Test
    void missingTsharkFailsInCi(@TempDir Path emptyDirectory) {
        AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                () -> locateTshark(emptyDirectory.toString(), "true"));
        assertTrue(failed.getMessage().contains("CI=true"), failed.getMessage());
    }

    @Test
    void findsAnExecutableTsharkOnPath(@TempDir Path binDirectory, @TempDir Path emptyDirectory) throws IOException {
        Path fake = Files.createFile(binDirectory.resolve("tshark"));
        assertTrue(fake.toFile().setExecutable(true));
        String path = emptyDirectory + File.pathSeparator + File.pathSeparator + binDirectory;
        assertEquals(fake, locateTshark(path, "true"));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static byte[] ipv6WithLastByte(int last) {
        byte[] address = new byte[16];
        address[0] = (byte) 0xfd; // fd00::/8, unique local
        address[15] = (byte) last;
        return address;
    }
}
