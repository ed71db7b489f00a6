package io.mtcp4j.stack.device;

import io.mtcp4j.stack.wire.MacAddress;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Settings for one device, as {@code key=value} strings (from agent arguments, system properties
 * or a properties file), with typed getters that fail fast: a bad value throws
 * {@link IllegalArgumentException} whose message names the key, the value and what is allowed.
 * Keys are lowercase with underscores ({@code queue_depth}), as the stack's other keys.
 *
 * @param values the settings; copied, sorted by key
 */
public record DeviceConfig(Map<String, String> values) {
    /** A configuration with no keys: every setting takes its default. */
    public static final DeviceConfig EMPTY = new DeviceConfig(Map.of());

    public DeviceConfig {
        Objects.requireNonNull(values, "values");
        TreeMap<String, String> copy = new TreeMap<>();
        values.forEach((key, value) -> copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, key)));
        values = Collections.unmodifiableSortedMap(copy);
    }

    /** A configuration from alternating keys and values: {@code of("queues", "2", "mtu", "9000")}. */
    public static DeviceConfig of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs: " + keysAndValues.length + " strings");
        }
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new DeviceConfig(map);
    }

    /** This configuration with one more setting (or a replaced one). */
    public DeviceConfig with(String key, String value) {
        TreeMap<String, String> map = new TreeMap<>(values);
        map.put(key, value);
        return new DeviceConfig(map);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /**
     * Fails unless every key is one of {@code knownKeys}, naming the device so that a misspelt key
     * is reported instead of silently ignored.
     */
    public void requireOnly(String deviceName, Set<String> knownKeys) {
        for (String key : values.keySet()) {
            if (!knownKeys.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' for device " + deviceName
                        + "; known keys: " + String.join(", ", sorted(knownKeys)));
            }
        }
    }

    /** The value of {@code key}, or {@code defaultValue} when absent. */
    public String string(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /** An integer from {@code minimum} to {@code maximum}, or {@code defaultValue} when absent. */
    public int integer(String key, int defaultValue, int minimum, int maximum) {
        return (int) longValue(key, defaultValue, minimum, maximum);
    }

    /** A long from {@code minimum} to {@code maximum}, or {@code defaultValue} when absent. */
    public long longValue(String key, long defaultValue, long minimum, long maximum) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(text.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw invalid(key, text, "an integer from " + minimum + " to " + maximum);
        }
        if (value < minimum || value > maximum) {
            throw invalid(key, text, "an integer from " + minimum + " to " + maximum);
        }
        return value;
    }

    /** {@code true} or {@code false} (any case), or {@code defaultValue} when absent. */
    public boolean bool(String key, boolean defaultValue) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(key, text, "true or false");
        };
    }

    /** A MAC address written {@code 02:00:00:00:00:01}, or {@code defaultValue} when absent. */
    public long mac(String key, long defaultValue) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            return MacAddress.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw invalid(key, text, "a MAC address of six hexadecimal bytes such as 02:00:00:00:00:01");
        }
    }

    /** The failure for a bad value: names the key, the value and what is allowed. */
    public static IllegalArgumentException invalid(String key, String value, String allowed) {
        return new IllegalArgumentException("device setting " + key + "=" + value + " is not allowed: expected " + allowed);
    }

    private static List<String> sorted(Set<String> keys) {
        return keys.stream().sorted().toList();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
