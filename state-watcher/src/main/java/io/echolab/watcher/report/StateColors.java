package io.echolab.watcher.report;

import io.echolab.watcher.model.TcpState;

/**
 * One colour per TCP state, the same in every picture: the opening states green, the waits of the side that
 * closes first orange, the passive side's CLOSE_WAIT red (the one a missing close() leaks), TIME_WAIT blue.
 * Hues from the Tableau 10 palette, chosen to stay apart for the common forms of colour blindness when their
 * lightness differs too; each picture also writes the state's name, so colour is never the only cue.
 */
final class StateColors {

    private StateColors() {
    }

    /** The fill for a state's bar. */
    static String fill(TcpState state) {
        return switch (state) {
            case LISTEN -> "#c7c7c7";
            case SYN_SENT -> "#98df8a";
            case SYN_RECV, NEW_SYN_RECV -> "#17becf";
            case ESTABLISHED -> "#2ca02c";
            case FIN_WAIT1 -> "#ffbb78";
            case FIN_WAIT2 -> "#ff7f0e";
            case CLOSE_WAIT -> "#d62728";
            case LAST_ACK -> "#9467bd";
            case CLOSING -> "#e377c2";
            case TIME_WAIT -> "#1f77b4";
            case CLOSE -> "#7f7f7f";
        };
    }

    /** Black or white, whichever reads better on the state's fill (WCAG relative luminance). */
    static String ink(TcpState state) {
        String hex = fill(state);
        double r = channel(Integer.parseInt(hex.substring(1, 3), 16));
        double g = channel(Integer.parseInt(hex.substring(3, 5), 16));
        double b = channel(Integer.parseInt(hex.substring(5, 7), 16));
        double luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        // Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): equal at L = 0.179
        return luminance > 0.179 ? "#000000" : "#ffffff";
    }

    private static double channel(int value) {
        double c = value / 255.0;
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
}
