package io.mtcp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Appending bytes, ints and longs in any mix and alignment hashes the same message as one byte array. */
class SipHashPropertyTest {
    /** One append operation: kind 0 = byte, 1 = int, 2 = long. */
    record Append(int kind, long value) {}

    @Provide
    Arbitrary<List<Append>> appends() {
        Arbitrary<Append> one = Arbitraries.integers().between(0, 2)
                .flatMap(kind -> Arbitraries.longs().map(value -> new Append(kind, value)));
        return one.list().ofMaxSize(20);
    }

    @Property(tries = 300)
    void incrementalAppendsEqualHashingTheLittleEndianBytes(@ForAll("appends") List<Append> appends,
                                                            @ForAll long key0, @ForAll long key1) {
        SipHash hasher = new SipHash(key0, key1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Append append : appends) {
            int width = switch (append.kind()) {
                case 0 -> { hasher.addByte((int) append.value()); yield 1; }
                case 1 -> { hasher.addInt((int) append.value()); yield 4; }
                default -> { hasher.addLong(append.value()); yield 8; }
            };
            for (int i = 0; i < width; i++) {
                bytes.write((int) (append.value() >>> (8 * i)));
            }
        }
        assertEquals(SipHash.hash(key0, key1, bytes.toByteArray()), hasher.finish());
    }
}
