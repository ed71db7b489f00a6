package io.mtcp4j.driver.tap;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the command-line tools the TAP tests set the kernel's side up with ({@code ip}, {@code ss}, {@code curl}). */
final class Commands {
    private Commands() {}

    /** A finished command. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }

    /** Runs {@code command} to its end (at most 60 s) and returns what it printed. */
    static Result run(String... command) {
        try {
            Path out = Files.createTempFile("mtcp4j-cmd", ".out");
            Path err = Files.createTempFile("mtcp4j-cmd", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail("command did not finish in 60 s: " + String.join(" ", command));
                }
                return new Result(List.of(command), process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Runs {@code command} and fails the test unless it succeeds; returns its standard output. */
    static String check(String... command) {
        Result result = run(command);
        if (!result.ok()) {
            fail("command failed: " + result);
        }
        return result.stdout();
    }

    /** Whether the kernel has a network interface called {@code name} ({@code ip link show dev}). */
    static boolean linkExists(String name) {
        return run("ip", "link", "show", "dev", name).ok();
    }
}
