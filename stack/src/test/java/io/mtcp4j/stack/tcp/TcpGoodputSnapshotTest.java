package io.mtcp4j.stack.tcp;

import static io.mtcp4j.stack.tcp.TcpSimulation.MS;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.mtcp4j.stack.tcp.TcpSimulation.LinkProfile;
import io.mtcp4j.stack.tcp.TcpSimulation.Result;
import io.mtcp4j.stack.tcp.TcpSimulation.Scenario;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The goodput table: a sweep of loss rate × congestion control × buffer size through
 * {@link TcpSimulation}, formatted as markdown and compared byte for byte with the checked-in
 * {@code src/test/resources/io/mtcp4j/stack/tcp/goodput-snapshot.md}.
 *
 * <p>The simulation is deterministic (fixed seeds, simulated time), so the table changes only when
 * the TCP code (or the simulation) changes behaviour. <b>A commit that changes the table must
 * update the snapshot and say in its message why the numbers moved</b>: a fix that makes recovery
 * faster, or a regression someone has to explain.
 *
 * <p>To rewrite the snapshot, run with {@code -Dmtcp4j.updateSnapshots=true}:
 * <pre>./mvnw -B -o -q -pl stack test -Dtest=TcpGoodputSnapshotTest -Dmtcp4j.updateSnapshots=true</pre>
 * The test also writes the file when it is missing. Then review {@code git diff} of the file.
 */
class TcpGoodputSnapshotTest {
    static final Path SNAPSHOT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .resolve("src/test/resources/io/mtcp4j/stack/tcp/goodput-snapshot.md");

    static final double[] LOSS_RATES = {0, 0.005, 0.01, 0.02, 0.05, 0.10, 0.20};
    static final String[] CONGESTION_CONTROLS = {"cubic", "newreno"};
    static final int[] BUFFER_BYTES = {64 * 1024, 1024 * 1024};
    static final long[] SEEDS = {1, 2, 3};
    static final int TRANSFER_BYTES = 1024 * 1024;
    /** Long enough for 1 MiB at 20% loss, whose timeouts back off to minutes. */
    static final long TIME_LIMIT_NS = 24 * 3600 * TcpSimulation.SECOND;

    @Test
    void goodputTableMatchesTheSnapshot() throws IOException {
        String table = goodputTable();
        boolean update = Boolean.getBoolean("mtcp4j.updateSnapshots");
        if (update || !Files.exists(SNAPSHOT)) {
            Files.createDirectories(SNAPSHOT.getParent());
            Files.writeString(SNAPSHOT, table, StandardCharsets.UTF_8);
            System.out.println("wrote " + SNAPSHOT);
            return;
        }
        String expected = Files.readString(SNAPSHOT, StandardCharsets.UTF_8);
        if (!expected.equals(table)) {
            fail("the goodput table changed; if that is intended, rerun with -Dmtcp4j.updateSnapshots=true and"
                    + " explain the change in the commit (" + SNAPSHOT + ")\n" + changedLines(expected, table));
        }
    }

    /** The lines that differ, snapshot then now, for the failure message. */
    private static String changedLines(String expected, String actual) {
        String[] before = expected.split("\n", -1);
        String[] after = actual.split("\n", -1);
        StringBuilder changes = new StringBuilder();
        for (int i = 0; i < Math.max(before.length, after.length); i++) {
            String was = i < before.length ? before[i] : "(none)";
            String now = i < after.length ? after[i] : "(none)";
            if (!was.equals(now)) {
                changes.append("snapshot: ").append(was).append("\nnow:      ").append(now).append('\n');
            }
        }
        return changes.toString();
    }

    /** The whole sweep as a markdown document. */
    static String goodputTable() {
        LinkProfile link = LinkProfile.clean();
        StringBuilder out = new StringBuilder();
        out.append("# Goodput snapshot\n\n");
        out.append("Written by `TcpGoodputSnapshotTest` (`-Dmtcp4j.updateSnapshots=true` rewrites it). The simulation\n");
        out.append("is deterministic: a change to this file is a change in TCP behaviour, and the commit that makes it\n");
        out.append("explains it.\n\n");
        out.append(String.format(Locale.ROOT,
                "Setup: %d KiB from client to server through `TcpSimulation`, %d ms one-way delay (+ up to %d ms\n"
                        + "jitter), %d Mbit/s bottleneck with a %d KiB drop-tail queue, random loss in both directions\n"
                        + "(data and ACKs); send and receive buffers as given; window scaling, timestamps and SACK on.\n"
                        + "Each row is %d runs (seeds %s): goodput is the median (and the range) of payload bytes over\n"
                        + "the time from the client's SYN to the last byte read; the counters are the client's, summed\n"
                        + "over the runs.\n\n",
                TRANSFER_BYTES / 1024, link.oneWayDelayNs() / MS, link.jitterNs() / MS,
                link.bandwidthBytesPerSecond() * 8 / 1_000_000, link.queueLimitBytes() / 1024,
                SEEDS.length, Arrays.toString(SEEDS)));
        out.append("Loss recovery is RFC 6675's (SACK is negotiated) paced by RFC 6937 proportional rate reduction:\n");
        out.append("every hole of a window is retransmitted in the same round trip. There is no RACK-TLP (RFC 8985):\n");
        out.append("a lost retransmission, a lost tail, or a loss in a window too small for three DupAcks waits for\n");
        out.append("the retransmission timeout, and at 10-20% loss timeouts and their backoff still dominate.\n\n");
        out.append("| loss | cc | buffers | goodput Mbit/s (median) | range | time ms (median) | retransmitted segments | RTOs | fast retransmits |\n");
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (double loss : LOSS_RATES) {
            for (String congestionControl : CONGESTION_CONTROLS) {
                for (int bufferBytes : BUFFER_BYTES) {
                    out.append(row(link.withLoss(loss), loss, congestionControl, bufferBytes));
                }
            }
        }
        return out.toString();
    }

    private static String row(LinkProfile link, double loss, String congestionControl, int bufferBytes) {
        double[] goodputs = new double[SEEDS.length];
        long[] times = new long[SEEDS.length];
        long retransmitted = 0;
        long timeouts = 0;
        long fastRetransmits = 0;
        for (int i = 0; i < SEEDS.length; i++) {
            Scenario scenario = Scenario.defaults(SEEDS[i])
                    .withConfig(b -> b.congestionControl(congestionControl).sendBufferBytes(bufferBytes)
                            .receiveBufferBytes(bufferBytes))
                    .withLinks(link)
                    .withPayloads(TRANSFER_BYTES, 0)
                    .withTimeLimit(TIME_LIMIT_NS);
            Result result = TcpSimulation.run(scenario);
            assertNull(result.failure(), result.describe());
            goodputs[i] = result.goodputBitsPerSecond() / 1e6;
            times[i] = result.transferNs();
            retransmitted += result.client().retransmittedSegments();
            timeouts += result.client().retransmissionTimeouts();
            fastRetransmits += result.client().fastRetransmits();
        }
        Arrays.sort(goodputs);
        Arrays.sort(times);
        return String.format(Locale.ROOT, "| %s%% | %s | %s | %s | %s..%s | %d | %d | %d | %d |\n",
                trimmed(loss * 100), congestionControl, bufferBytes >= 1024 * 1024 ? bufferBytes / (1024 * 1024) + " MiB" : bufferBytes / 1024 + " KiB",
                mbits(goodputs[goodputs.length / 2]), mbits(goodputs[0]), mbits(goodputs[goodputs.length - 1]),
                times[times.length / 2] / MS, retransmitted, timeouts, fastRetransmits);
    }

    private static String trimmed(double percent) {
        return percent == Math.rint(percent) ? String.valueOf((long) percent) : String.format(Locale.ROOT, "%.1f", percent);
    }

    /** Two decimals, or three significant digits below 0.1 Mbit/s (the 20% rows). */
    private static String mbits(double value) {
        return value >= 0.1 ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%.3g", value);
    }
}
