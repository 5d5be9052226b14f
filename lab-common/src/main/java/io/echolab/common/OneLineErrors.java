package io.echolab.common;

import java.io.PrintWriter;

import picocli.CommandLine;

/**
 * Makes a program's bad input and unexpected failures one line on standard error, never picocli's usage
 * dump or a stack trace: {@code NAME: MESSAGE (see --help)} with exit code 2, or an exception that escaped
 * the program as {@link ExitMapper} words and numbers it ({@code NAME: internal error: ...}, exit code 1,
 * when it is not one the mapper knows).
 */
public final class OneLineErrors {

    private OneLineErrors() {
    }

    /** Installs both handlers on the command line and returns it. */
    public static CommandLine install(CommandLine commandLine) {
        String name = commandLine.getCommandName();
        commandLine.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println(name + ": " + e.getMessage().replace('\n', ' ').strip() + " (see --help)");
            err.flush();
            return Situation.BAD_USAGE.exitCode();
        });
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            Failure failure = ExitMapper.failure(name, e);
            cl.getErr().println(failure.message());
            cl.getErr().flush();
            return failure.exitCode();
        });
        return commandLine;
    }
}
