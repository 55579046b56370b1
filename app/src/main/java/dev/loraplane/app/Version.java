package dev.loraplane.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The build's version and the versions of the runtime it was built against, read from the jar. */
final class Version implements IVersionProvider {

    static String loraplane() {
        return read("/dev/loraplane/app/version.properties").getProperty("version", "unknown");
    }

    /** The libtorch and DJL versions bundled in the jar, without loading the engine. */
    static String bundledTorch() {
        Properties jni = read("/jnilib/pytorch.properties");
        Properties lib = read("/native/lib/pytorch.properties");
        String jniVersion = jni.getProperty("jni_version", "?-?");
        int dash = jniVersion.indexOf('-');
        return "libtorch " + jniVersion.substring(0, dash) + " (" + lib.getProperty("flavor", "no bundled build") + ", "
                + lib.getProperty("classifier", "-") + "), DJL " + jniVersion.substring(dash + 1);
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "loraplane " + loraplane(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
            bundledTorch()
        };
    }

    private static Properties read(String resource) {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(resource)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return properties;
    }
}
