package io.echolab.watcher.owner;

import java.util.List;
import java.util.Set;

/**
 * A process's name as a person would call it. The kernel's {@code comm} for most programs; every JVM's
 * {@code comm} is {@code java}, so for one the jar it runs ({@code -jar lib/echo-server.jar}: {@code
 * echo-server}) or its main class's simple name.
 */
final class ProgramName {

    /** The java launcher's options that take a value as the next argument. */
    private static final Set<String> WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-reads", "--add-exports", "--add-opens",
            "--patch-module", "--enable-native-access");

    private ProgramName() {
    }

    /**
     * @param comm    {@code /proc/PID/comm}, without its newline
     * @param cmdline {@code /proc/PID/cmdline}'s arguments (empty when it cannot be read)
     */
    static String of(String comm, List<String> cmdline) {
        if (!comm.equals("java") || cmdline.isEmpty()) {
            return comm;
        }
        for (int i = 1; i < cmdline.size(); i++) {
            String arg = cmdline.get(i);
            if (arg.equals("-jar") && i + 1 < cmdline.size()) {
                String jar = cmdline.get(i + 1);
                String file = jar.substring(jar.lastIndexOf('/') + 1);
                return file.endsWith(".jar") ? file.substring(0, file.length() - ".jar".length()) : file;
            }
            if (arg.equals("-m") || arg.equals("--module")) {
                return i + 1 < cmdline.size() ? simpleName(cmdline.get(i + 1).replaceFirst("^.*/", "")) : comm;
            }
            if (WITH_VALUE.contains(arg)) {
                i++;
            } else if (!arg.startsWith("-")) {
                return simpleName(arg);
            }
        }
        return comm;
    }

    private static String simpleName(String className) {
        String name = className.substring(className.lastIndexOf('.') + 1);
        return name.isEmpty() ? "java" : name;
    }
}
