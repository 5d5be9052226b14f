package io.echolab.watcher;

/** What {@code --backend} asks for: the best available, or one in particular. */
public enum BackendChoice {

    AUTO, PROCFS, NETLINK, TRACE;

    /** {@code auto}, {@code procfs}, {@code netlink}, {@code trace}: --backend's values. */
    public static final class Names extends LowercaseNames<BackendChoice> {
        public Names() {
            super(BackendChoice.class, "backend");
        }
    }
}
