package io.echolab.it;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A client's standard input typed by the test, line by line, the way the article's author typed "aa" and
 * "q" at the prompt: nothing arrives until the test types it, and {@link #close()} is Ctrl-D.
 */
final class Keyboard extends InputStream {

    private static final int EOF = -1;

    private final BlockingQueue<Integer> keys = new LinkedBlockingQueue<>();

    /** Types the text. */
    void type(String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            keys.add(b & 0xff);
        }
    }

    @Override
    public int read() {
        try {
            int key = keys.take();
            if (key == EOF) {
                keys.add(EOF); // stays at end of input for any later read
            }
            return key;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EOF;
        }
    }

    /** Like a terminal: blocks for the first byte, then returns whatever else has been typed. */
    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        int first = read();
        if (first == EOF) {
            return EOF;
        }
        buffer[offset] = (byte) first;
        int n = 1;
        Integer next;
        while (n < length && (next = keys.peek()) != null && next != EOF) {
            buffer[offset + n++] = (byte) (int) keys.poll();
        }
        return n;
    }

    @Override
    public int available() {
        return keys.isEmpty() ? 0 : 1;
    }

    /** End of input. */
    @Override
    public void close() {
        keys.add(EOF);
    }
}
