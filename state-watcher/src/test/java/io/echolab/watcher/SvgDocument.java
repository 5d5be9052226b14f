package io.echolab.watcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/** A picture read back with the JDK's DOM parser: its elements by class, as a test asks for them. */
final class SvgDocument {

    static final String SVG = "http://www.w3.org/2000/svg";

    final Element root;

    private SvgDocument(Element root) {
        this.root = root;
    }

    /** Parses the file; fails on anything that is not well-formed XML with an svg root in the SVG namespace. */
    static SvgDocument read(Path file) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            Document document = factory.newDocumentBuilder().parse(file.toFile());
            Element root = document.getDocumentElement();
            if (!SVG.equals(root.getNamespaceURI()) || !"svg".equals(root.getLocalName())) {
                throw new IOException(file + " is not SVG: " + root.getNamespaceURI() + " " + root.getLocalName());
            }
            return new SvgDocument(root);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException(file + " does not parse: " + e.getMessage(), e);
        }
    }

    /** The elements under {@code scope} whose class list has {@code name}, in document order. */
    static List<Element> byClass(Element scope, String name) {
        List<Element> found = new ArrayList<>();
        NodeList all = scope.getElementsByTagNameNS(SVG, "*");
        for (int i = 0; i < all.getLength(); i++) {
            Element element = (Element) all.item(i);
            if (Arrays.asList(element.getAttribute("class").split(" ")).contains(name)) {
                found.add(element);
            }
        }
        return found;
    }

    List<Element> byClass(String name) {
        return byClass(root, name);
    }

    /** The element's text, its children's included. */
    static String text(Element element) {
        return element.getTextContent();
    }

    static Instant time(Element element) {
        return Instant.parse(element.getAttribute("data-time"));
    }
}
