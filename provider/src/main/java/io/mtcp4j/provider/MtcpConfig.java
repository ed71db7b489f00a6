package io.mtcp4j.provider;

import io.mtcp4j.stack.device.NetDevice;
import io.mtcp4j.stack.tcp.ByteRing;
import io.mtcp4j.stack.tcp.TcpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The provider's configuration: one set of keys, read from system properties ({@code mtcp4j.key})
 * and, when {@code mtcp4j.config} names one, a properties file (keys without the prefix; a system
 * property overrides the file). A bad value fails at once with a message that names the key, the
 * value and what is allowed; keys this version does not know are ignored (the agent and the build
 * pass their own).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>values</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>engines</td><td>1 to 64</td><td>1</td><td>engines (threads) of the embedded stack</td></tr>
 *   <tr><td>loopback</td><td>stack, kernel</td><td>stack</td><td>who serves 127.0.0.1 and ::1 in this JVM</td></tr>
 *   <tr><td>cc</td><td>cubic, newreno</td><td>cubic</td><td>congestion control</td></tr>
 *   <tr><td>rcvbuf, sndbuf</td><td>a power of two, 4k to 1g (suffix k, m, g)</td><td>256k</td><td>receive and send ring per connection</td></tr>
 *   <tr><td>time_wait</td><td>a duration: 500ms, 60s, 2m</td><td>60s</td><td>TIME_WAIT (2 MSL)</td></tr>
 * </table>
 *
 * @param engines            engines of the embedded stack
 * @param loopback           whether loopback addresses belong to the stack or the kernel
 * @param congestionControl  "cubic" or "newreno"
 * @param receiveBufferBytes receive ring capacity per connection
 * @param sendBufferBytes    send ring capacity per connection
 * @param timeWaitNs         TIME_WAIT duration
 */
public record MtcpConfig(int engines, Loopback loopback, String congestionControl, int receiveBufferBytes,
                         int sendBufferBytes, long timeWaitNs) {
    /** The prefix of the keys as system properties. */
    public static final String PREFIX = "mtcp4j.";
    /** The system property naming a properties file with more keys. */
    public static final String CONFIG_FILE_PROPERTY = PREFIX + "config";

    private static final long MS = 1_000_000L;

    /** Who serves the loopback addresses {@code 127.0.0.1} and {@code ::1} of this JVM. */
    public enum Loopback {
        /** The embedded stack (kernel twins keep loopback listeners reachable from other processes). */
        STACK,
        /** The kernel: every channel is a kernel delegate. */
        KERNEL
    }

    public MtcpConfig {
        Objects.requireNonNull(loopback, "loopback");
        Objects.requireNonNull(congestionControl, "congestionControl");
    }

    /** The defaults: one engine, loopback on the stack, CUBIC, 256 KiB rings, 60 s TIME_WAIT. */
    public static MtcpConfig defaults() {
        TcpConfig tcp = TcpConfig.defaults();
        return new MtcpConfig(1, Loopback.STACK, tcp.congestionControl(), tcp.receiveBufferBytes(), tcp.sendBufferBytes(),
                tcp.timeWaitNs());
    }

    /**
     * The configuration from {@code mtcp4j.*} system properties and the file {@code mtcp4j.config}
     * names, if any.
     *
     * @throws IllegalArgumentException for a bad value, naming key, value and what is allowed
     */
    public static MtcpConfig fromSystemProperties() {
        return fromProperties(System.getProperties());
    }

    /**
     * The configuration from {@code mtcp4j.*} entries of {@code properties} (system properties in
     * production) and the file its {@code mtcp4j.config} entry names, if any; an entry overrides the file.
     */
    public static MtcpConfig fromProperties(Properties properties) {
        Map<String, String> values = new LinkedHashMap<>();
        String file = properties.getProperty(CONFIG_FILE_PROPERTY);
        if (file != null) {
            Properties fromFile = new Properties();
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                fromFile.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(CONFIG_FILE_PROPERTY + "=" + file + " cannot be read: " + e, e);
            }
            for (String name : fromFile.stringPropertyNames()) {
                values.put(name, fromFile.getProperty(name));
            }
        }
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(PREFIX) && !name.equals(CONFIG_FILE_PROPERTY)) {
                values.put(name.substring(PREFIX.length()), properties.getProperty(name));
            }
        }
        return from(values, PREFIX);
    }

    /**
     * The configuration from {@code values} (keys without a prefix) over the defaults.
     *
     * @param keyPrefix how keys are named in messages: {@code "mtcp4j."} for system properties, {@code ""} for agent arguments
     */
    public static MtcpConfig from(Map<String, String> values, String keyPrefix) {
        MtcpConfig d = defaults();
        int engines = d.engines;
        Loopback loopback = d.loopback;
        String cc = d.congestionControl;
        int rcvbuf = d.receiveBufferBytes;
        int sndbuf = d.sendBufferBytes;
        long timeWaitNs = d.timeWaitNs;
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            String name = keyPrefix + key;
            switch (key) {
                case "engines" -> engines = integer(name, value, 1, NetDevice.MAX_QUEUES);
                case "loopback" -> loopback = switch (value.toLowerCase(Locale.ROOT)) {
                    case "stack" -> Loopback.STACK;
                    case "kernel" -> Loopback.KERNEL;
                    default -> throw bad(name, value, "stack or kernel");
                };
                case "cc" -> cc = switch (value.toLowerCase(Locale.ROOT)) {
                    case "cubic" -> "cubic";
                    case "newreno" -> "newreno";
                    default -> throw bad(name, value, "cubic or newreno");
                };
                case "rcvbuf" -> rcvbuf = bufferSize(name, value);
                case "sndbuf" -> sndbuf = bufferSize(name, value);
                case "time_wait" -> timeWaitNs = duration(name, value);
                default -> {
                    // a key for another part (the agent, the build): not ours to judge
                }
            }
        }
        return new MtcpConfig(engines, loopback, cc, rcvbuf, sndbuf, timeWaitNs);
    }

    /** The TCP settings of the embedded stack's connections. */
    public TcpConfig tcp() {
        return TcpConfig.defaults().with(b -> b.congestionControl(congestionControl).receiveBufferBytes(receiveBufferBytes)
                .sendBufferBytes(sendBufferBytes).timeWaitNs(timeWaitNs));
    }

    public MtcpConfig withEngines(int value) {
        return new MtcpConfig(value, loopback, congestionControl, receiveBufferBytes, sendBufferBytes, timeWaitNs);
    }

    public MtcpConfig withLoopback(Loopback value) {
        return new MtcpConfig(engines, value, congestionControl, receiveBufferBytes, sendBufferBytes, timeWaitNs);
    }

    public MtcpConfig withTimeWaitNs(long value) {
        return new MtcpConfig(engines, loopback, congestionControl, receiveBufferBytes, sendBufferBytes, value);
    }

    // ------------------------------------------------------------------------------ parsing

    private static IllegalArgumentException bad(String name, String value, String allowed) {
        return new IllegalArgumentException(name + "=" + value + " is not allowed: use " + allowed);
    }

    private static int integer(String name, String value, int min, int max) {
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw bad(name, value, "an integer from " + min + " to " + max);
        }
        if (parsed < min || parsed > max) {
            throw bad(name, value, "an integer from " + min + " to " + max);
        }
        return (int) parsed;
    }

    private static int bufferSize(String name, String value) {
        String allowed = "a power of two from 4k to " + (ByteRing.MAX_CAPACITY_BYTES >> 20) + "m bytes (a number with an optional"
                + " k, m or g suffix, such as 65536 or 256k)";
        String digits = value.toLowerCase(Locale.ROOT);
        long scale = 1;
        if (digits.endsWith("k")) {
            scale = 1L << 10;
        } else if (digits.endsWith("m")) {
            scale = 1L << 20;
        } else if (digits.endsWith("g")) {
            scale = 1L << 30;
        }
        if (scale != 1) {
            digits = digits.substring(0, digits.length() - 1);
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(digits), scale);
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(name, value, allowed);
        }
        if (bytes < 4096 || bytes > ByteRing.MAX_CAPACITY_BYTES || Long.bitCount(bytes) != 1) {
            throw bad(name, value, allowed);
        }
        return (int) bytes;
    }

    private static long duration(String name, String value) {
        String allowed = "a positive duration with a unit: ms, s or m (such as 500ms, 60s, 2m)";
        String text = value.toLowerCase(Locale.ROOT);
        long unitNs;
        String digits;
        if (text.endsWith("ms")) {
            unitNs = MS;
            digits = text.substring(0, text.length() - 2);
        } else if (text.endsWith("s")) {
            unitNs = 1000 * MS;
            digits = text.substring(0, text.length() - 1);
        } else if (text.endsWith("m")) {
            unitNs = 60_000 * MS;
            digits = text.substring(0, text.length() - 1);
        } else {
            throw bad(name, value, allowed);
        }
        try {
            long amount = Long.parseLong(digits);
            if (amount <= 0) {
                throw bad(name, value, allowed);
            }
            return Math.multiplyExact(amount, unitNs);
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(name, value, allowed);
        }
    }
}
