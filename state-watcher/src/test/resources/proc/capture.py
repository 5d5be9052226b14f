"""Makes the fixtures here: loopback sockets in known TCP states, then /proc/net/tcp{,6}, ss and netstat.

Usage: python3 capture.py OUTDIR established_v4 ipv6 mapped time_wait fin_wait2
Only loopback addresses and ports the kernel picks; every socket is closed when its scenario ends.
"""
import os, socket, subprocess, sys, time

OUT = sys.argv[1]

def hexport(p):
    return "%04X" % p

def rows(path, ports):
    """Header plus the rows whose local or remote port is one of ports, verbatim (bytes)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    lines = data.split(b"\n")
    keep = [lines[0]]
    hp = {hexport(p).encode() for p in ports}
    for line in lines[1:]:
        if not line:
            continue
        f = line.split()
        lport = f[1].split(b":")[1]
        rport = f[2].split(b":")[1]
        if lport in hp or rport in hp:
            keep.append(line)
    return b"\n".join(keep) + b"\n"

def states(ports):
    out = []
    for p in ("/proc/net/tcp", "/proc/net/tcp6"):
        r = rows(p, ports)
        for line in r.split(b"\n")[1:]:
            if line:
                out.append(line.split()[3].decode())
    return sorted(out)

def wait_states(ports, want):
    deadline = time.time() + 10
    while time.time() < deadline:
        if states(ports) == sorted(want):
            return
        time.sleep(0.01)
    raise SystemExit("states %s, wanted %s" % (states(ports), sorted(want)))

def capture(name, ports, comment):
    d = os.path.join(OUT, name, "net")
    os.makedirs(d, exist_ok=True)
    t4 = rows("/proc/net/tcp", ports)
    t6 = rows("/proc/net/tcp6", ports)
    flt = " or ".join("sport = :%d or dport = :%d" % (p, p) for p in ports)
    ss = subprocess.run(["ss", "-tanoe", "( " + flt + " )"], capture_output=True, text=True).stdout
    ns = subprocess.run(["netstat", "-ant"], capture_output=True, text=True).stdout.split("\n")
    ns = [l for l in ns[:2]] + [l for l in ns[2:] if any((":%d " % p) in l for p in ports)]
    with open(os.path.join(d, "tcp"), "wb") as f:
        f.write(t4)
    with open(os.path.join(d, "tcp6"), "wb") as f:
        f.write(t6)
    with open(os.path.join(OUT, name, "README.txt"), "w") as f:
        f.write(comment.strip() + "\n\n")
        f.write("Captured on Linux %s, right after net/tcp and net/tcp6 were copied.\n\n" % os.uname().release)
        f.write("$ ss -tanoe '( %s )'\n" % flt)
        f.write(ss)
        f.write("\n$ netstat -ant   (the header and the rows of these ports)\n")
        f.write("\n".join(ns) + "\n")
    print("captured", name, ports)

def listener(family, addr, v6only=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((addr, 0))
    s.listen(5)
    return s, s.getsockname()[1]

def scenario_established_v4():
    srv, port = listener(socket.AF_INET, "127.0.0.1")
    c1 = socket.create_connection(("127.0.0.1", port))
    a1, _ = srv.accept()
    c1.sendall(b"hello")          # unread by a1: Recv-Q 5 on the accepted socket
    a1.sendall(b"abc")            # unread by c1: Recv-Q 3 on the client
    c2 = socket.create_connection(("127.0.0.1", port))   # never accepted: LISTEN Recv-Q 1
    wait_states([port], ["0A", "01", "01", "01", "01"])
    time.sleep(0.2)
    capture("established-v4", [port], """
IPv4 on loopback: a listener on 127.0.0.1 (AF_INET), one accepted connection and one still in the accept
queue. The first client sent 5 bytes the server never read and the server sent 3 bytes the client never read.
""")
    for s in (c1, c2, a1, srv):
        s.close()

def scenario_ipv6():
    srv, port = listener(socket.AF_INET6, "::1", 1)
    c = socket.create_connection(("::1", port))
    a, _ = srv.accept()
    wait_states([port], ["0A", "01", "01"])
    capture("ipv6", [port], """
IPv6 on loopback: a listener on ::1 (IPV6_V6ONLY), one accepted connection from ::1.
""")
    for s in (c, a, srv):
        s.close()

def scenario_mapped():
    srv, port = listener(socket.AF_INET6, "::ffff:127.0.0.1", 0)
    c4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c4.connect(("127.0.0.1", port))
    a4, _ = srv.accept()
    c6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    c6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    c6.connect(("::ffff:127.0.0.1", port))
    a6, _ = srv.accept()
    wait_states([port], ["0A", "01", "01", "01", "01"])
    capture("mapped", [port], """
IPv4-mapped IPv6: a dual-stack AF_INET6 listener (IPV6_V6ONLY off) bound to ::ffff:127.0.0.1, as the JVM
opens sockets by default. One client is AF_INET (its row is in tcp), one is AF_INET6 connecting to
::ffff:127.0.0.1 (its row is in tcp6); both accepted sockets are AF_INET6 rows with mapped addresses.
""")
    for s in (c4, c6, a4, a6, srv):
        s.close()

def scenario_time_wait():
    srv, port = listener(socket.AF_INET, "127.0.0.1")
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = srv.accept()
    c.close()                      # client closes first: FIN_WAIT2 until the server closes
    wait_states([port], ["0A", "05", "08"])
    a.close()                      # server closes: client TIME_WAIT, server LAST_ACK then gone
    wait_states([port], ["0A", "06"])
    time.sleep(0.3)
    capture("time-wait", [port], """
TIME_WAIT: the client closed first, then the server closed its accepted socket. The client's socket is a
time-wait row (shorter, inode 0, timer 3 = TIME_WAIT with its remaining time); the listener stays.
""")
    srv.close()

def scenario_fin_wait2():
    srv, port = listener(socket.AF_INET, "127.0.0.1")
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = srv.accept()
    c.close()                      # client closes, the server never does (yet)
    wait_states([port], ["0A", "05", "08"])
    time.sleep(0.5)
    capture("fin-wait2-close-wait", [port], """
Orphaned FIN_WAIT2 and CLOSE_WAIT: the client called close() first, the server has not closed its accepted
socket. The client's socket is orphaned, so the kernel keeps it as a time-wait row with st 05 (FIN_WAIT2)
and timer 3, counting down net.ipv4.tcp_fin_timeout (60 s here); the server's accepted socket is in
CLOSE_WAIT with no timer.
""")
    for s in (a, srv):
        s.close()

for f in sys.argv[2:]:
    globals()["scenario_" + f]()
