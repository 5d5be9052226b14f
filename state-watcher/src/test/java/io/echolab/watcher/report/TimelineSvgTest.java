package io.echolab.watcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import io.echolab.watcher.model.Connection;
import io.echolab.watcher.model.ConnectionKey;
import io.echolab.watcher.model.Owner;
import io.echolab.watcher.model.Phase;
import io.echolab.watcher.model.TcpState;
import io.echolab.watcher.model.TimerKind;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The timeline's drawing on phases this test sets up (the real runs are PicturesTest's): time along one axis, so
 * a state's width is its duration, and whatever a process calls itself stays text.
 */
class TimelineSvgTest {

    private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

    @Test
    void widthsAreDurationsOnOneAxis() throws Exception {
        ConnectionKey client = key(52832, 11233);
        ConnectionKey server = key(11233, 52832);
        Connection clientSide = new Connection(client, List.of(
                phase(TcpState.ESTABLISHED, 0, 1_000), phase(TcpState.FIN_WAIT2, 1_000, 11_000),
                phase(TcpState.TIME_WAIT, 11_000, 71_000)), true, Optional.of(new Owner(4242, "echo-client", 3)));
        Connection serverSide = new Connection(server, List.of(
                phase(TcpState.ESTABLISHED, 0, 1_000), phase(TcpState.CLOSE_WAIT, 1_000, 11_000)), true, Optional.empty());

        Document svg = parse(TimelineSvg.render(List.of(clientSide, serverSide), T0, T0.plusSeconds(75), ZoneOffset.UTC,
                "port 11233", "a test"));

        List<Element> lanes = byClass(svg, "lane");
        assertEquals(2, lanes.size());
        assertEquals("echo-client (pid 4242)", byClass(lanes.get(0), "lane-owner").get(0).getTextContent());
        assertEquals("owner unknown", byClass(lanes.get(1), "lane-owner").get(0).getTextContent());
        double timeWait = width(lanes.get(0), "TIME_WAIT");
        double finWait2 = width(lanes.get(0), "FIN_WAIT2");
        double closeWait = width(lanes.get(1), "CLOSE_WAIT");
        assertEquals(6.0, timeWait / closeWait, 0.05, "60 s of TIME_WAIT is six times 10 s of CLOSE_WAIT");
        assertEquals(closeWait, finWait2, 0.2, "the client's FIN_WAIT2 lasts the server's CLOSE_WAIT");
        assertEquals(x(lanes.get(0), "FIN_WAIT2"), x(lanes.get(1), "CLOSE_WAIT"), 0.2, "and starts with it");
        assertEquals(TimelineSvg.PLOT_RIGHT - TimelineSvg.PLOT_LEFT, 75 * closeWait / 10, 1, "75 s across the plot");
    }

    @Test
    void aCommandNameIsTextWhateverItHolds() throws Exception {
        String odd = "a<b>&\"c' ]]>";
        Connection connection = new Connection(key(1000, 2000), List.of(phase(TcpState.ESTABLISHED, 0, 500)), false,
                Optional.of(new Owner(7, odd, 4)));

        Document svg = parse(TimelineSvg.render(List.of(connection), T0, T0.plusSeconds(1), ZoneOffset.UTC, "port 2000",
                "a test"));

        assertEquals(odd + " (pid 7)", byClass(svg, "lane-owner").get(0).getTextContent());
        assertEquals(0, svg.getElementsByTagNameNS("*", "script").getLength(), "no script");
    }

    @Test
    void aShortStateIsStillASliver() throws Exception {
        Connection connection = new Connection(key(1000, 2000), List.of(phase(TcpState.FIN_WAIT1, 0, 0),
                phase(TcpState.FIN_WAIT2, 0, 60_000)), false, Optional.empty());
        Document svg = parse(TimelineSvg.render(List.of(connection), T0, T0.plusSeconds(60), ZoneOffset.UTC, "port 2000",
                "a test"));
        assertTrue(width(byClass(svg, "lane").get(0), "FIN_WAIT1") >= TimelineSvg.MIN_SLIVER);
    }

    private static ConnectionKey key(int local, int remote) throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        return new ConnectionKey("tcp", new InetSocketAddress(loopback, local), new InetSocketAddress(loopback, remote));
    }

    private static Phase phase(TcpState state, long fromMillis, long toMillis) {
        return new Phase(state, T0.plusMillis(fromMillis), T0.plusMillis(toMillis), true, TimerKind.OFF, Duration.ZERO,
                0, 0, Set.of(TimerKind.OFF));
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> byClass(Document document, String name) {
        return byClass(document.getDocumentElement(), name);
    }

    private static List<Element> byClass(Element scope, String name) {
        List<Element> found = new ArrayList<>();
        NodeList all = scope.getElementsByTagNameNS(Svg.NAMESPACE, "*");
        for (int i = 0; i < all.getLength(); i++) {
            Element element = (Element) all.item(i);
            if (List.of(element.getAttribute("class").split(" ")).contains(name)) {
                found.add(element);
            }
        }
        return found;
    }

    private static Element rect(Element lane, String state) {
        Element phase = byClass(lane, "phase").stream().filter(e -> e.getAttribute("data-state").equals(state))
                .findFirst().orElseThrow();
        return (Element) phase.getElementsByTagNameNS(Svg.NAMESPACE, "rect").item(0);
    }

    private static double width(Element lane, String state) {
        return Double.parseDouble(rect(lane, state).getAttribute("width"));
    }

    private static double x(Element lane, String state) {
        return Double.parseDouble(rect(lane, state).getAttribute("x"));
    }
}
