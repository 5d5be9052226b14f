package io.echolab.common;

import java.io.PrintWriter;

import picocli.CommandLine;

/**
 * Makes a program's bad input and unexpected failures one line on standard error, never picocli's usage
 * dump or a stack trace: {@code NAME: MESSAGE (see --help)} with exit code 2, or
 * {@code NAME: internal error: ...} with exit code 1.
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
            return ExitCode.USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            cl.getErr().println(name + ": internal error: " + e);
            cl.getErr().flush();
            return ExitCode.SOFTWARE;
        });
        return commandLine;
    }
}
