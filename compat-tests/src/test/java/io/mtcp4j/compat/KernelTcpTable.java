package io.mtcp4j.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's TCP sockets as {@code /proc/net/tcp} and {@code /proc/net/tcp6} list them: the
 * mtcp4j runs of the compat suite check that a connection the stack carried never existed in
 * the kernel (a silent fall-back would show up here as a kernel socket with the same ports).
 */
final class KernelTcpTable {
    private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
    /** The LISTEN state in the tables' "st" column. */
    private static final int LISTEN = 0x0A;

    private KernelTcpTable() {
    }

    static boolean available() {
        return Files.isReadable(TABLES[0]);
    }

    /** Whether the kernel has a socket, other than a listener, between ports {@code a} and {@code b} (either way round). */
    static boolean hasConnection(int a, int b) throws IOException {
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue;
            }
            List<String> lines = Files.readAllLines(table);
            for (int i = 1; i < lines.size(); i++) {
                String[] fields = lines.get(i).trim().split("\\s+");
                if (fields.length < 4) {
                    continue;
                }
                int localPort = port(fields[1]);
                int remotePort = port(fields[2]);
                int state = Integer.parseInt(fields[3], 16);
                if (state == LISTEN) {
                    continue;
                }
                if ((localPort == a && remotePort == b) || (localPort == b && remotePort == a)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int port(String addressAndPort) {
        return Integer.parseInt(addressAndPort.substring(addressAndPort.indexOf(':') + 1), 16);
    }
}
