package io.mtcp4j.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * mtcp4j as the JVM's system provider ({@code -Djava.nio.channels.spi.SelectorProvider=...}) for
 * an unmodified NIO program in a child JVM: with {@code --add-exports} everything works; without
 * it (no way to reach the platform provider) loopback still runs on the stack and kernel channels
 * fail with a message that names the fix.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MtcpSystemProviderTest {

    private static Map<String, String> run(boolean addExports, String... properties) throws IOException, InterruptedException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        if (addExports) {
            command.add("--add-exports");
            command.add("java.base/sun.nio.ch=ALL-UNNAMED");
        }
        command.add("-Djava.nio.channels.spi.SelectorProvider=" + MtcpSelectorProvider.class.getName());
        for (String property : properties) {
            command.add("-D" + property);
        }
        command.add("-cp");
        command.add(classPath);
        command.add(SystemProviderMain.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        Map<String, String> values = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("WARNING")) {
                values.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        values.put("exit", Integer.toString(process.exitValue()));
        values.put("output", output);
        return values;
    }

    @Test
    void anUnmodifiedProgramRunsOnTheStack() throws Exception {
        Map<String, String> result = run(true);
        assertEquals("0", result.get("exit"), result.get("output"));
        assertEquals(MtcpSelectorProvider.class.getName(), result.get("provider"));
        assertEquals("hello", result.get("echo"));
        assertEquals("STACK", result.get("client"));
        assertEquals("STACK", result.get("accepted"));
        assertTrue(result.get("datagram").startsWith("sun.nio.ch."), result.get("datagram"));
    }

    @Test
    void withoutThePlatformProviderLoopbackStillRunsOnTheStack() throws Exception {
        Map<String, String> result = run(false);
        assertEquals("0", result.get("exit"), result.get("output"));
        assertEquals("hello", result.get("echo"));
        assertEquals("STACK", result.get("client"));
        assertTrue(result.get("datagram").startsWith("UnsupportedOperationException"), result.get("datagram"));
        assertTrue(result.get("datagram").contains("--add-exports java.base/sun.nio.ch=ALL-UNNAMED"), result.get("datagram"));
    }

    @Test
    void aBadConfigurationValueStopsTheProgramWithItsName() throws Exception {
        Map<String, String> result = run(true, "mtcp4j.cc=bbr");
        assertTrue(!"0".equals(result.get("exit")), result.get("output"));
        assertTrue(result.get("output").contains("mtcp4j.cc=bbr is not allowed: use cubic or newreno"), result.get("output"));
    }

    @Test
    void loopbackOnTheKernelKeepsEverythingOnTheKernel() throws Exception {
        Map<String, String> result = run(true, "mtcp4j.loopback=kernel");
        assertEquals("0", result.get("exit"), result.get("output"));
        assertEquals("hello", result.get("echo"));
        assertEquals("KERNEL", result.get("client"));
        assertEquals("KERNEL", result.get("accepted"));
    }
}
