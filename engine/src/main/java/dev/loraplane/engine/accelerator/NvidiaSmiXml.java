package dev.loraplane.engine.accelerator;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads {@code nvidia-smi -q -x}. The output names a DTD ({@code nvsmi_device_v12.dtd},
 * {@code v13} …) that is never shipped beside it, so the parser neither loads nor resolves external
 * DTDs or entities. Each {@code <gpu>} is read through its own children only: in MIG mode the
 * {@code <mig_devices>} inside it hold {@code fb_memory_usage} elements of their own. The index is
 * the {@code <gpu>}'s position, which is nvidia-smi's index (both follow PCI bus order).
 */
final class NvidiaSmiXml {

    private NvidiaSmiXml() {}

    static List<String> command() {
        return List.of("nvidia-smi", "-q", "-x");
    }

    static GpuReport parse(String xml) {
        Element log = document(xml).getDocumentElement();
        if (!log.getTagName().equals("nvidia_smi_log")) {
            throw new ToolOutputException(
                    "nvidia-smi XML has root <" + log.getTagName() + ">; expected <nvidia_smi_log>");
        }
        List<GpuStatus> gpus = new ArrayList<>();
        for (Element gpu : children(log, "gpu")) {
            gpus.add(new GpuStatus(
                    gpus.size(),
                    text(gpu, "uuid"),
                    text(gpu, "product_name"),
                    Readings.bytes(Readings.number(text(gpu, "fb_memory_usage", "total")), Readings.MIB),
                    Readings.bytes(Readings.number(text(gpu, "fb_memory_usage", "used")), Readings.MIB),
                    Readings.fraction(Readings.number(text(gpu, "utilization", "gpu_util"))),
                    Readings.first(
                            Readings.number(text(gpu, "gpu_power_readings", "power_draw")),
                            Readings.number(text(gpu, "gpu_power_readings", "average_power_draw")),
                            Readings.number(text(gpu, "gpu_power_readings", "instant_power_draw")),
                            Readings.number(text(gpu, "power_readings", "power_draw"))),
                    Readings.number(text(gpu, "temperature", "gpu_temp"))));
        }
        return new GpuReport("nvidia-smi", text(log, "driver_version"), gpus);
    }

    private static Document document(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setValidating(false);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler()); // throws on fatal errors, prints nothing
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a standard feature", e);
        } catch (SAXException | IOException e) {
            throw new ToolOutputException("nvidia-smi printed XML that does not parse: " + e.getMessage(), e);
        }
    }

    /** The text at a path of child elements, or {@code null} when one is missing. */
    private static String text(Element from, String... path) {
        Element at = from;
        for (String name : path) {
            List<Element> next = children(at, name);
            if (next.isEmpty()) {
                return null;
            }
            at = next.get(0);
        }
        return at.getTextContent().strip();
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }
}
