package io.mtcp4j.stack.device;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A table of {@code long} counters, one row per writer thread (a device queue's engine), readable
 * from any thread without locks or atomics.
 *
 * <p>Each row has exactly one writer at a time (one thread, or writers serialised by a lock), so
 * an increment needs no read-modify-write atomicity: the
 * writer reads its own cell plainly (it sees its own writes) and publishes the sum with an opaque
 * store. Readers use opaque loads. Opaque access guarantees a 64-bit value is never seen torn
 * (plain {@code long} fields may tear by the JLS) and that each reader sees a cell's values in the
 * order they were written; it adds no fence, so on x86 the writer's increment is an ordinary
 * load, add and store. A reader may see one cell a little fresher than another: the counters are
 * for monitoring, not for invariants across cells.
 *
 * <p>Rows are padded apart so that two engines' counters never share a cache line.
 */
final class CounterCells {
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);
    /** 128 bytes: two cache lines, since Intel's adjacent-line prefetcher pairs lines. */
    private static final int PADDING_LONGS = 16;

    private final int rows;
    private final int columns;
    private final int stride;
    private final long[] cells;

    CounterCells(int rows, int columns) {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("rows and columns must be positive: " + rows + ", " + columns);
        }
        this.rows = rows;
        this.columns = columns;
        this.stride = columns + PADDING_LONGS;
        this.cells = new long[PADDING_LONGS + rows * stride];
    }

    int rows() {
        return rows;
    }

    /** Adds {@code delta} to a cell. Only the row's one writer thread may call this. */
    void add(int row, int column, long delta) {
        int i = index(row, column);
        CELL.setOpaque(cells, i, (long) CELL.get(cells, i) + delta);
    }

    /** A cell's latest value as far as this thread can see. Any thread. */
    long get(int row, int column) {
        return (long) CELL.getOpaque(cells, index(row, column));
    }

    /** A column summed over all rows. Any thread. */
    long sum(int column) {
        long total = 0;
        for (int row = 0; row < rows; row++) {
            total += get(row, column);
        }
        return total;
    }

    private int index(int row, int column) {
        if (row < 0 || row >= rows || column < 0 || column >= columns) {
            throw new IndexOutOfBoundsException("cell " + row + "," + column + " outside " + rows + "x" + columns);
        }
        return PADDING_LONGS + row * stride + column;
    }
}
