package io.echolab.client;

import java.util.Optional;

import io.echolab.common.Failure;

/** A failure that ends the client: the line it prints (the C program's wording), an optional hint, the exit code. */
public final class ClientFailure extends Exception {

    private final transient Failure failure;
    private final String hint;

    public ClientFailure(Failure failure) {
        this(failure, Optional.empty());
    }

    public ClientFailure(Failure failure, Optional<String> hint) {
        super(failure.message(), null, false, false);
        this.failure = failure;
        this.hint = hint.orElse(null);
    }

    /** What to print and the exit code. */
    public Failure failure() {
        return failure;
    }

    /** A second line naming what was tried and a likely cause, where there is one. */
    public Optional<String> hint() {
        return Optional.ofNullable(hint);
    }
}
