package io.mtcp4j.stack.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/**
 * The README's demo: two stacks exchange an HTTP request and response over IPv4 and IPv6 and close
 * cleanly, every captured frame parses with valid checksums, and the capture holds them all.
 */
class StackDemoTest {
    @Test
    void twoStacksExchangeOverBothFamiliesAndTheCaptureParses(@TempDir Path directory) throws Exception {
        Path pcap = directory.resolve("demo.pcap");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            StackDemo.main(new String[] {pcap.toString()});
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("IPv4: the server read 40 request bytes, the client read \"HTTP/1.1 200 OK\"; client TIME_WAIT, server CLOSED"), output);
        assertTrue(output.contains("IPv6: the server read 46 request bytes, the client read \"HTTP/1.1 200 OK\"; client TIME_WAIT, server CLOSED"), output);
        assertFalse(output.contains("dropped:"), output);
        long frameLines = output.lines().filter(line -> line.matches("^\\s*\\d+\\s+\\d+ B\\s+(ARP|IPv4|IPv6) .*")).count();
        assertTrue(output.lines().anyMatch(line -> line.contains("ARP  who-has 10.10.0.2 tell 10.10.0.1")), output);
        assertTrue(output.lines().anyMatch(line -> line.contains("neighbour solicitation target fd00:10:10::2")), output);

        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.nativeOrder());
        assertEquals(0xa1b23c4d, file.getInt(0), "nanosecond pcap magic");
        int records = 0;
        for (int position = 24; position < file.limit(); records++) {
            position += 16 + file.getInt(position + 8);
        }
        assertEquals(records, frameLines, "every captured frame was decoded");
        assertTrue(records >= 20, "handshakes, data, FINs and neighbour resolution: " + records);
    }
}
