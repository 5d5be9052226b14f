package io.echolab.watcher.report;

import java.io.StringWriter;
import java.util.Locale;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A plain SVG document written through the JDK's XML stream writer, which escapes every text and attribute:
 * text stays text (selectable, searchable), hover details are {@code <title>} elements, and there is no
 * script, so any browser shows it as it is. Coordinates are written to a tenth of a pixel.
 */
final class Svg {

    static final String NAMESPACE = "http://www.w3.org/2000/svg";
    static final String FONT = "DejaVu Sans, Verdana, Arial, sans-serif";
    static final String MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace";

    private final StringWriter text = new StringWriter();
    private final XMLStreamWriter xml;
    private int depth;

    /** Starts the document: the root element sized {@code width} x {@code height}, and its title. */
    Svg(double width, double height, String title) {
        try {
            xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.setDefaultNamespace(NAMESPACE);
            xml.writeStartElement(NAMESPACE, "svg");
            xml.writeDefaultNamespace(NAMESPACE);
            attributes("width", number(width), "height", number(height),
                    "viewBox", "0 0 " + number(width) + " " + number(height),
                    "font-family", FONT, "font-size", "12");
            depth = 1;
            element("title", title);
            rect(0, 0, width, height, "#ffffff");
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Opens an element with attributes given as name, value pairs; close it with {@link #end()}. */
    Svg start(String name, String... attributes) {
        try {
            newline();
            xml.writeStartElement(NAMESPACE, name);
            attributes(attributes);
            depth++;
            return this;
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closes the element opened last. */
    Svg end() {
        try {
            depth--;
            newline();
            xml.writeEndElement();
            return this;
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An element holding only text (null: none). */
    Svg element(String name, String content, String... attributes) {
        try {
            newline();
            xml.writeStartElement(NAMESPACE, name);
            attributes(attributes);
            if (content != null) {
                xml.writeCharacters(content);
            }
            xml.writeEndElement();
            return this;
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text at (x, y), its baseline at y. */
    Svg text(double x, double y, String content, String... attributes) {
        return element("text", content, with(attributes, "x", number(x), "y", number(y)));
    }

    /** A rectangle. */
    Svg rect(double x, double y, double width, double height, String fill, String... attributes) {
        return element("rect", null, with(attributes, "x", number(x), "y", number(y), "width", number(width),
                "height", number(height), "fill", fill));
    }

    /** A rectangle with a hover title. */
    Svg rectTitled(double x, double y, double width, double height, String fill, String title, String... attributes) {
        start("rect", with(attributes, "x", number(x), "y", number(y), "width", number(width), "height", number(height),
                "fill", fill));
        element("title", title);
        return end();
    }

    Svg line(double x1, double y1, double x2, double y2, String stroke, String... attributes) {
        return element("line", null, with(attributes, "x1", number(x1), "y1", number(y1), "x2", number(x2),
                "y2", number(y2), "stroke", stroke));
    }

    /** Ends the document and returns it. */
    String finish() {
        try {
            while (depth > 0) {
                end();
            }
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.close();
            return text.toString();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A coordinate to a tenth, without a trailing {@code .0}. */
    static String number(double value) {
        long tenths = Math.round(value * 10);
        return tenths % 10 == 0 ? Long.toString(tenths / 10) : String.format(Locale.ROOT, "%.1f", tenths / 10.0);
    }

    /**
     * About how wide {@code text} is at {@code size} px in a sans-serif font (DejaVu Sans measures about 0.55 em
     * a lowercase letter or digit, 0.7 em a capital): enough to tell whether a label fits.
     */
    static double width(String text, double size) {
        double em = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            em += Character.isUpperCase(c) || c == 'W' || c == 'M' || c == 'm' || c == 'w' ? 0.72
                    : c == ' ' || c == '.' || c == ',' || c == ':' || c == 'i' || c == 'l' || c == '(' || c == ')' ? 0.34
                    : 0.6;
        }
        return em * size;
    }

    private void attributes(String... pairs) throws XMLStreamException {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name, value pairs");
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                xml.writeAttribute(pairs[i], pairs[i + 1]);
            }
        }
    }

    private static String[] with(String[] extra, String... first) {
        String[] all = new String[first.length + extra.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(extra, 0, all, first.length, extra.length);
        return all;
    }

    private void newline() throws XMLStreamException {
        xml.writeCharacters("\n" + "  ".repeat(Math.max(0, depth)));
    }
}
