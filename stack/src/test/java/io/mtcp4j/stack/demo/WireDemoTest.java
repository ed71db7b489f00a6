package io.mtcp4j.stack.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's demo runs, every frame it builds parses back, and the capture holds them all. */
class WireDemoTest {
    @Test
    void demoParsesEveryFrameAndWritesTheCapture(@TempDir Path directory) throws Exception {
        Path pcap = directory.resolve("demo.pcap");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            WireDemo.main(new String[] {pcap.toString()});
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        long parsedLines = output.lines().filter(line -> line.matches("^\\s*\\d+\\s+\\d+ B\\s+(ARP|IPv4|IPv6) .*")).count();
        assertEquals(15, parsedLines, output);
        assertTrue(output.contains("dropped: tcp-bad-checksum"), output);
        assertTrue(output.contains("dropped: ipv4-total-length-exceeds-frame"), output);

        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.nativeOrder());
        assertEquals(0xa1b23c4d, file.getInt(0), "nanosecond pcap magic");
        int records = 0;
        for (int position = 24; position < file.limit(); records++) {
            int capturedLength = file.getInt(position + 8);
            position += 16 + capturedLength;
        }
        assertEquals(15, records);
    }
}
