package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtcp4j.stack.device.Offload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./mtcp4j net up|down|status}: idempotent, clear output, the TAP interface it makes is
 * one the driver attaches to, and nothing is left after {@code down}. Runs with its own names
 * and subnets so that it never touches a real {@code mtcp0}. Needs CAP_NET_ADMIN.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetCommandTest {
    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("mtcp4j");

    private static Commands.Result net(String... arguments) {
        String[] command = new String[arguments.length + 2];
        command[0] = SCRIPT.toString();
        command[1] = "net";
        System.arraycopy(arguments, 0, command, 2, arguments.length);
        return Commands.run(command);
    }

    private static String ok(String... arguments) {
        Commands.Result result = net(arguments);
        assertEquals(0, result.exitCode(), result.toString());
        return result.stdout();
    }

    @Test
    void tapUpIsIdempotentTheDriverAttachesAndDownRemovesIt() {
        Privileges.requireNetAdmin();
        assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " is the launcher");
        String name = TestTap.uniqueName();
        String ipv4 = "10.78." + (1 + (name.hashCode() & 0x7f)) + ".1/24";
        String ipv6 = "fd00:78:" + Integer.toHexString(1 + (name.hashCode() & 0x7f)) + "::1/64";
        try {
            String first = ok("up", "--ifname", name, "--ipv4", ipv4, "--ipv6", ipv6);
            assertTrue(first.contains(name + ": created"), first);
            assertTrue(first.contains("kernel address " + ipv4), first);
            String second = ok("up", "--ifname", name, "--ipv4", ipv4, "--ipv6", ipv6);
            assertTrue(second.contains("already present"), second);
            assertTrue(second.contains(ipv4 + " already assigned"), second);
            assertTrue(second.contains(ipv6 + " already assigned"), second);
            String status = ok("status", "--ifname", name);
            assertTrue(status.contains("TAP, multi-queue"), status);
            assertTrue(status.contains("queues attached: 0"), status);
            assertTrue(status.contains("txqueuelen 20000"), status);

            try (TapDevice device = TapDevice.open(TapDevice.Options.defaults(name).withQueues(2))) {
                assertFalse(device.createdInterface(), "attached to the persistent interface");
                assertTrue(device.supports(Offload.TX_CHECKSUM));
                String attached = ok("status", "--ifname", name);
                assertTrue(attached.contains("queues attached: 2"), attached);
            }
            assertTrue(Commands.linkExists(name), "a persistent interface outlives the device");

            String down = ok("down", "--ifname", name);
            assertTrue(down.contains(name + ": removed"), down);
            assertFalse(Commands.linkExists(name));
            String again = ok("down", "--ifname", name);
            assertTrue(again.contains("nothing to remove"), again);
            Commands.Result missing = net("status", "--ifname", name);
            assertEquals(3, missing.exitCode(), missing.toString());
            assertTrue(missing.stdout().contains("not present"), missing.toString());
        } finally {
            if (Commands.linkExists(name)) {
                Commands.run("ip", "link", "del", "dev", name);
            }
        }
    }

    @Test
    void vethNamespacesComeAndGo() {
        Privileges.requireNetAdmin();
        String name = "mt4j-v" + TestTap.uniqueName().substring("mt4j-t".length());
        try {
            String first = ok("up", "--veth", "--name", name, "--ipv4", "10.79.1.1/24", "--ipv6", "fd00:79:1::1/64");
            assertTrue(first.contains("netns " + name + "-a: created"), first);
            assertTrue(first.contains("veth " + name + "-a (" + name + "-a) <-> " + name + "-b (" + name + "-b): created"), first);
            String second = ok("up", "--veth", "--name", name, "--ipv4", "10.79.1.1/24", "--ipv6", "fd00:79:1::1/64");
            assertTrue(second.contains("already present"), second);
            String addresses = Commands.check("ip", "-n", name + "-b", "-br", "addr", "show", "dev", name + "-b");
            assertTrue(addresses.contains("10.79.1.1/24") && addresses.contains("fd00:79:1::1/64"), addresses);
            assertTrue(Commands.check("ip", "-n", name + "-a", "-br", "link", "show", "dev", name + "-a").contains("UP"));
            String status = ok("status", "--veth", "--name", name);
            assertTrue(status.contains("netns " + name + "-b:"), status);
            String down = ok("down", "--veth", "--name", name);
            assertTrue(down.contains("netns " + name + "-a: removed"), down);
            assertFalse(Commands.check("ip", "netns", "list").contains(name), "no namespace left");
            assertEquals(3, net("status", "--veth", "--name", name).exitCode());
        } finally {
            Commands.run("ip", "netns", "del", name + "-a");
            Commands.run("ip", "netns", "del", name + "-b");
        }
    }

    @Test
    void badUsageSaysWhatIsAllowed() {
        Commands.Result result = net("sideways");
        assertEquals(2, result.exitCode());
        assertTrue(result.stderr().contains("say up, down or status"), result.toString());
        Commands.Result option = net("up", "--colour", "blue");
        assertEquals(2, option.exitCode());
        assertTrue(option.stderr().contains("unknown option '--colour'"), option.toString());
    }
}
