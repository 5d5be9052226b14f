package io.echolab.client;

/** A failure that ends the client: the line it prints (the C program's wording) and the exit code. */
public final class ClientFailure extends Exception {

    private final int exitCode;

    public ClientFailure(String line, int exitCode) {
        super(line, null, false, false);
        this.exitCode = exitCode;
    }

    /** The exit code the program ends with. */
    public int exitCode() {
        return exitCode;
    }
}
