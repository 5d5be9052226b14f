package io.echolab.dist;

import io.echolab.client.EchoClientCommand;
import io.echolab.server.EchoServerCommand;
import io.echolab.watcher.StateWatcherCommand;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Gives picocli's generators ({@code picocli.AutoComplete}, {@code ManPageGenerator}, both run with
 * {@code --factory}) each program's command as its {@code main} builds it: the commands take their streams
 * in their constructors, which picocli's default factory cannot call. Anything else (converters, mixins,
 * the version provider) comes from the default factory.
 */
public final class ProgramFactory implements IFactory {

    private final IFactory defaults = CommandLine.defaultFactory();

    @Override
    public <K> K create(Class<K> type) throws Exception {
        if (type == EchoServerCommand.class) {
            return type.cast(EchoServerCommand.newCommandLine(System.out).getCommand());
        }
        if (type == EchoClientCommand.class) {
            return type.cast(EchoClientCommand.newCommandLine(System.in, System.out, false).getCommand());
        }
        if (type == StateWatcherCommand.class) {
            return type.cast(StateWatcherCommand.newCommandLine().getCommand());
        }
        return defaults.create(type);
    }
}
