package io.mtcp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of {@link Ipv6Address} text (kept apart from the JUnit tests: surefire miscounts a class with both engines). */
class Ipv6AddressPropertyTest {
    @Property
    void formattedTextParsesBackToTheSameAddress(@ForAll long high, @ForAll long low) {
        Ipv6Address address = new Ipv6Address(high, low);
        String text = address.toString();
        assertEquals(address, Ipv6Address.parse(text));
        assertEquals(text.toLowerCase(Locale.ROOT), text);
    }

    @Property
    void sparseAddressesFormatBackToTheSameAddress(@ForAll("sparse") Ipv6Address address) {
        String text = address.toString();
        assertEquals(address, Ipv6Address.parse(text));
        // RFC 5952 4.2.2: "::" never stands for a single group, and appears at most once.
        assertTrue(text.indexOf("::") == text.lastIndexOf("::"), text);
        if (text.contains("::") && !text.contains(".")) {
            long groupsWritten = Arrays.stream(text.split(":")).filter(g -> !g.isEmpty()).count();
            assertTrue(8 - groupsWritten >= 2, text);
        }
    }

    @Provide
    Arbitrary<Ipv6Address> sparse() {
        // Addresses made of zero and small groups, so zero runs of every length and position occur.
        var group = Arbitraries.of(0L, 0L, 0L, 1L, 0xdb8L, 0xffffL);
        return group.list().ofSize(8).map(groups -> {
            long high = 0;
            long low = 0;
            for (int i = 0; i < 4; i++) {
                high = (high << 16) | groups.get(i);
                low = (low << 16) | groups.get(i + 4);
            }
            return new Ipv6Address(high, low);
        });
    }
}
