package io.echolab.watcher.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Test;

/**
 * The program's bytes, laid out by hand from inet_diag.h (struct inet_diag_bc_op: u8 code, u8 yes, u16 no).
 * That the kernel accepts and applies it is checked on real sockets (BackendsAgreeTest).
 */
class PortFilterTest {

    private static byte[] ops(int... fields) {
        ByteBuffer bytes = ByteBuffer.allocate(fields.length / 3 * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < fields.length; i += 3) {
            bytes.put((byte) fields[i]).put((byte) fields[i + 1]).putShort((short) fields[i + 2]);
        }
        return bytes.array();
    }

    @Test
    void noPortsNoFilter() {
        assertNull(PortFilter.compile(Set.of()));
    }

    @Test
    void onePortIsSourceOrDestination() {
        Memory program = PortFilter.compile(Set.of(11233));

        assertArrayEquals(ops(
                // sport >= 11233 ? next : the dport test
                2, 8, 20, 0, 0, 11233,
                // sport <= 11233 ? the JMP : the dport test
                3, 8, 12, 0, 0, 11233,
                // matched: jump over itself and the dport test to the end, accepting
                1, 4, 20,
                // dport >= 11233 ? next : 4 past the end, rejecting
                4, 8, 20, 0, 0, 11233,
                // dport <= 11233 ? the end, accepting : 4 past the end, rejecting
                5, 8, 12, 0, 0, 11233), program.getByteArray(0, (int) program.size()));
    }
}
