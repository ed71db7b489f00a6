package io.mtcp4j.stack.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ListenerTableTest {
    /** 192.0.2.1 and 192.0.2.2, two addresses of one host (RFC 5737). */
    private static final long HOST_A = 0xc000_0201L;
    private static final long HOST_B = 0xc000_0202L;
    /** 2001:db8::1 (RFC 3849). */
    private static final long V6_HIGH = 0x2001_0db8_0000_0000L;
    private static final long V6_LOW = 1;

    private final ListenerTable<String> listeners = new ListenerTable<>(new Random(1));

    @Test
    void anExactAddressWinsOverTheWildcard() {
        listeners.putWildcard(false, 80, "any");
        listeners.put(false, 0, HOST_A, 80, "a");
        assertEquals("a", listeners.find(false, 0, HOST_A, 80));
        assertEquals("any", listeners.find(false, 0, HOST_B, 80));
    }

    @Test
    void theOrderOfRegistrationDoesNotMatter() {
        listeners.put(false, 0, HOST_A, 80, "a");
        listeners.putWildcard(false, 80, "any");
        assertEquals("a", listeners.find(false, 0, HOST_A, 80));
        assertEquals("any", listeners.find(false, 0, HOST_B, 80));
    }

    @Test
    void theWildcardCatchesEveryAddressOnItsPortOnly() {
        listeners.putWildcard(false, 8080, "any");
        assertEquals("any", listeners.find(false, 0, HOST_A, 8080));
        assertEquals("any", listeners.find(false, 0, 0x0a00_0001L, 8080));
        assertNull(listeners.find(false, 0, HOST_A, 8081));
    }

    @Test
    void anExactListenerDoesNotServeOtherAddresses() {
        listeners.put(false, 0, HOST_A, 22, "a");
        assertNull(listeners.find(false, 0, HOST_B, 22));
        assertNull(listeners.find(false, 0, HOST_A, 23));
    }

    @Test
    void theFamiliesAreSeparate() {
        listeners.putWildcard(false, 80, "v4 any");
        assertNull(listeners.find(true, V6_HIGH, V6_LOW, 80), "an IPv4 wildcard does not take IPv6");
        listeners.putWildcard(true, 443, "v6 any");
        assertNull(listeners.find(false, 0, HOST_A, 443), "an IPv6 wildcard does not take IPv4");
        // A dual-stack listener is registered in both families by its owner.
        listeners.putWildcard(false, 443, "v6 any");
        assertEquals("v6 any", listeners.find(false, 0, HOST_A, 443));
        assertEquals("v6 any", listeners.find(true, V6_HIGH, V6_LOW, 443));
    }

    @Test
    void ipv6ExactWinsOverIpv6Wildcard() {
        listeners.putWildcard(true, 443, "any");
        listeners.put(true, V6_HIGH, V6_LOW, 443, "exact");
        assertEquals("exact", listeners.find(true, V6_HIGH, V6_LOW, 443));
        assertEquals("any", listeners.find(true, V6_HIGH, 2, 443));
    }

    @Test
    void removingTheExactListenerFallsBackToTheWildcard() {
        listeners.putWildcard(false, 80, "any");
        listeners.put(false, 0, HOST_A, 80, "a");
        assertEquals("a", listeners.remove(false, 0, HOST_A, 80));
        assertEquals("any", listeners.find(false, 0, HOST_A, 80));
        assertEquals("any", listeners.removeWildcard(false, 80));
        assertNull(listeners.find(false, 0, HOST_A, 80));
        assertEquals(0, listeners.size());
    }

    @Test
    void removingTheWildcardLeavesTheExactListener() {
        listeners.putWildcard(false, 80, "any");
        listeners.put(false, 0, HOST_A, 80, "a");
        listeners.removeWildcard(false, 80);
        assertEquals("a", listeners.find(false, 0, HOST_A, 80));
        assertNull(listeners.find(false, 0, HOST_B, 80));
    }

    @Test
    void getExactNeverFallsBack() {
        listeners.putWildcard(false, 80, "any");
        assertNull(listeners.getExact(false, 0, HOST_A, 80));
        assertEquals("any", listeners.getExact(false, 0, 0, 80));
    }

    @Test
    void putReplacesAndReturnsThePreviousListener() {
        assertNull(listeners.put(false, 0, HOST_A, 80, "first"));
        assertEquals("first", listeners.put(false, 0, HOST_A, 80, "second"));
        assertEquals("second", listeners.find(false, 0, HOST_A, 80));
        assertEquals(1, listeners.size());
    }

    @Test
    void manyPortsAndForEach() {
        for (int port = 1; port <= 1000; port++) {
            listeners.putWildcard(false, port, "p" + port);
        }
        assertEquals(1000, listeners.size());
        assertEquals("p777", listeners.find(false, 0, HOST_B, 777));
        List<String> all = new ArrayList<>();
        listeners.forEach(all::add);
        assertEquals(1000, all.size());
    }
}
