package io.echolab.watcher.netlink;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.sun.jna.Memory;
import io.echolab.watcher.netlink.InetDiag.InetDiagBcOp;

/**
 * Compiles "sport = P or dport = P, for any watched P" into the kernel's socket filter
 * (INET_DIAG_REQ_BYTECODE), so a dump returns only the watched sockets and the rest cost the kernel a
 * comparison each. The program, as inet_diag_bc_run() reads it: each op's condition true jumps {@code yes}
 * bytes on, false {@code no}; landing exactly on the end accepts the socket, jumping past it rejects.
 *
 * <p>Each port test is a range of one port, {@code >= P} then {@code <= P} (the ops every kernel since 2.6
 * has), 16 bytes; tests are joined as iproute2's ss joins "or": {@code [test][JMP][rest]}, where a test's
 * failure lands on the rest, and its success on a JMP over the rest to the end. inet_diag_bc_audit() accepts
 * this shape: every failure target lies on the chain of {@code yes} jumps.
 */
final class PortFilter {

    private static final int TEST = 16;
    private static final int JMP = 4;

    private PortFilter() {
    }

    /** The program for {@code ports}, or null for no filter (an empty set watches every socket). */
    static Memory compile(Set<Integer> ports) {
        if (ports.isEmpty()) {
            return null;
        }
        List<int[]> tests = new java.util.ArrayList<>();
        for (int port : new TreeSet<>(ports)) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("not a port: " + port);
            }
            tests.add(new int[] {InetDiag.INET_DIAG_BC_S_GE, InetDiag.INET_DIAG_BC_S_LE, port});
            tests.add(new int[] {InetDiag.INET_DIAG_BC_D_GE, InetDiag.INET_DIAG_BC_D_LE, port});
        }
        int size = tests.size() * TEST + (tests.size() - 1) * JMP;
        Memory program = new Memory(size);
        int offset = 0;
        for (int i = 0; i < tests.size(); i++) {
            int[] test = tests.get(i);
            int rest = size - offset;    // bytes from this test to the end
            // >= P: go on to <= P, else past this test (onto the next, or 4 past the end: reject)
            op(program, offset, test[0], 8, TEST + JMP);
            op(program, offset + 4, 0, 0, test[2]);
            // <= P: go on to the JMP after the test (or the end), else as above
            op(program, offset + 8, test[1], 8, 8 + JMP);
            op(program, offset + 12, 0, 0, test[2]);
            offset += TEST;
            if (i < tests.size() - 1) {
                // Reached only when the test held: jump over the rest to the end (JMP always takes "no")
                op(program, offset, InetDiag.INET_DIAG_BC_JMP, JMP, rest - TEST);
                offset += JMP;
            }
        }
        return program;
    }

    private static void op(Memory program, int offset, int code, int yes, int no) {
        InetDiagBcOp op = new InetDiagBcOp(program.share(offset));
        op.code = (byte) code;
        op.yes = (byte) yes;
        op.no = (short) no;
        op.write();
    }
}
