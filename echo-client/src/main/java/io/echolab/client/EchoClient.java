package io.echolab.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.echolab.common.DurationConverter;
import io.echolab.common.ExitMapper;
import io.echolab.common.Failure;
import io.echolab.common.Situation;
import io.echolab.common.Transcript;

/**
 * echo_client2.c in Java: connect, echo each input line through the server, then close and stay alive for
 * the hold so the kernel's TIME_WAIT can be watched. Lines of any length and any bytes are echoed whole,
 * a buffer at a time, so memory stays bounded.
 */
public final class EchoClient {

    /** How much of a line is sent before its echo is read back. */
    static final int CHUNK = 64 * 1024;

    private static final String PROMPT = "Input(Q to quit): ";
    private static final String ECHO_PREFIX = "Message from server: ";

    private final ClientOptions options;
    private final InputStream input;
    private final Transcript out;

    /**
     * @param input the lines to send, as typed or piped: EOF quits like {@code q}
     */
    public EchoClient(ClientOptions options, InputStream input, Transcript out) {
        this.options = options;
        this.input = new BufferedInputStream(input, CHUNK);
        this.out = out;
    }

    /**
     * Runs the session: connect, echo until {@code q} or EOF, close, hold.
     *
     * @throws ClientFailure        with the C program's line when the connection fails
     * @throws InterruptedException when the thread is interrupted (Ctrl-C); the socket is closed by then
     */
    public void run() throws ClientFailure, InterruptedException {
        // Connect
        SocketChannel socket;
        try {
            socket = Sockets.open(options.server().getAddress());
        } catch (IOException e) {
            throw new ClientFailure(ExitMapper.failure("create socket failed", e));
        }
        ClientFailure writeFailure = null;
        try (socket) {
            try {
                options.tuning().applyTo(socket);
                socket.connect(options.server());
            } catch (IOException e) {
                interrupted(e);
                Failure failure = ExitMapper.failure("connect socket failed", e);
                throw new ClientFailure(failure, ConnectHints.hint(failure.situation(), options.server(), Optional.empty()));
            }
            out.line("connect server success...");

            // Echo
            byte[] chunk = new byte[CHUNK];
            while (true) {
                out.text(PROMPT);
                int n = readChunk(chunk);
                if (n < 0 || isQuit(chunk, n)) {
                    // As echo_client2.c: right after the prompt; a terminal has echoed the user's q and newline
                    out.line("quit...");
                    break;
                }
                try {
                    echoLine(socket, chunk, n);
                } catch (WriteFailed e) {
                    interrupted(e.cause);
                    out.line("write message error, quit...");
                    writeFailure = new ClientFailure(ExitMapper.failure("write to server failed", e.cause));
                    break;
                }
            }

            // Close
            if (options.halfClose() && writeFailure == null) {
                halfClose(socket);
            }
        } catch (IOException e) {
            throw new ClientFailure(ExitMapper.failure("close socket failed", e));
        }

        // Hold
        Duration hold = options.hold();
        out.line("close socket and sleep " + DurationConverter.seconds(hold) + " seconds now...");
        Thread.sleep(hold.toMillis(), hold.toNanosPart() % 1_000_000);
        if (writeFailure != null) {
            throw writeFailure;
        }
    }

    /**
     * Sends one input line a chunk at a time and prints each chunk's echo as it comes back, stamped when its
     * first bytes arrived. Each read takes what is there, as echo_client2.c's read(BUF_SIZE) does, so a line the
     * server sends on its own (a busy server's) comes out whole.
     */
    private void echoLine(SocketChannel socket, byte[] chunk, int length)
            throws ClientFailure, WriteFailed, InterruptedException {
        ByteBuffer echo = ByteBuffer.allocate(CHUNK);
        boolean lineEnded = false;
        boolean prefixed = false;
        int n = length;
        while (true) {
            try {
                ByteBuffer message = ByteBuffer.wrap(chunk, 0, n);
                while (message.hasRemaining()) {
                    socket.write(message);
                }
            } catch (IOException e) {
                throw new WriteFailed(e);
            }
            // Read until the whole chunk is back, as the C loop reads until recv_len reaches message_len
            int received = 0;
            while (received < n) {
                echo.clear();
                int read = read(socket, echo);
                if (read < 0) {
                    out.endLine();
                    throw new ClientFailure(ExitMapper.failure(Situation.CONNECTION_FAILED, "server closed"));
                }
                if (!prefixed) {
                    out.event(out.now(), ECHO_PREFIX);
                    prefixed = true;
                }
                out.bytes(echo.array(), 0, read);
                received += read;
            }
            lineEnded = chunk[n - 1] == '\n';
            if (lineEnded) {
                return;
            }
            n = readChunk(chunk);
            if (n < 0) {
                // The last line had no newline: end it on the terminal so the next prompt starts clean
                out.endLine();
                return;
            }
        }
    }

    /** shutdown(SHUT_WR): send FIN but keep reading, printing what the server still sends, until its EOF. */
    private void halfClose(SocketChannel socket) throws ClientFailure, InterruptedException {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            interrupted(e);
            throw new ClientFailure(ExitMapper.failure("shutdown socket failed", e));
        }
        out.line("shutdown write side, reading until the server closes...");
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        boolean atLineStart = true;
        while (true) {
            buffer.clear();
            int read = read(socket, buffer);
            if (read < 0) {
                out.endLine();
                out.line("server closed");
                return;
            }
            byte[] bytes = buffer.array();
            int start = 0;
            Instant arrived = out.now();
            for (int i = 0; i < read; i++) {
                if (atLineStart) {
                    out.bytes(bytes, start, i - start);
                    start = i;
                    out.event(arrived, ECHO_PREFIX);
                }
                atLineStart = bytes[i] == '\n';
            }
            out.bytes(bytes, start, read - start);
        }
    }

    /** read(2) on the socket: the bytes read, or -1 at the server's EOF; a failure is echo_client2.c's line. */
    private int read(SocketChannel socket, ByteBuffer buffer) throws ClientFailure, InterruptedException {
        try {
            return socket.read(buffer);
        } catch (IOException e) {
            interrupted(e);
            out.endLine();
            throw new ClientFailure(ExitMapper.failure("read from server failed", e));
        }
    }

    /** An I/O failure that is really Ctrl-C (the channel was closed by the interrupt) ends the session quietly. */
    private static void interrupted(IOException e) throws InterruptedException {
        if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
    }

    /** Reads up to a newline (kept), a full buffer or EOF, as fgets does; -1 at EOF with nothing read. */
    private int readChunk(byte[] chunk) throws InterruptedException {
        int n = 0;
        try {
            while (n < chunk.length) {
                int b = input.read();
                if (b < 0) {
                    break;
                }
                chunk[n++] = (byte) b;
                if (b == '\n') {
                    break;
                }
            }
        } catch (IOException e) {
            interrupted(e);
            // Standard input that cannot be read ends the session like EOF: the user's input is over
            return n == 0 ? -1 : n;
        }
        return n == 0 ? -1 : n;
    }

    private static boolean isQuit(byte[] chunk, int n) {
        boolean q = chunk[0] == 'q' || chunk[0] == 'Q';
        return q && (n == 1 || (n == 2 && chunk[1] == '\n'));
    }

    /** A failed write: echo_client2.c prints "write message error, quit..." and goes on to close. */
    private static final class WriteFailed extends Exception {
        private final IOException cause;

        WriteFailed(IOException cause) {
            super(null, null, false, false);
            this.cause = cause;
        }
    }
}
