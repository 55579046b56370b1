package dev.loraplane.serving.adapters;

/** The adapter was trained on another base model than the one served (400). */
public final class AdapterBaseMismatchException extends AdapterException {

    private final String adapterBase;
    private final String servedBase;

    /**
     * @param adapterBase the base model the adapter names
     * @param servedBase the base model this server runs
     * @param cause why the adapter's tensors do not fit, or null when its source named another base
     */
    public AdapterBaseMismatchException(String adapter, String adapterBase, String servedBase, Throwable cause) {
        super(adapter, "adapter '" + adapter + "' is for base model '" + adapterBase + "', but this server serves '"
                + servedBase + "'" + (cause == null ? "" : ": " + cause.getMessage()), cause);
        this.adapterBase = adapterBase;
        this.servedBase = servedBase;
    }

    public String adapterBase() {
        return adapterBase;
    }

    public String servedBase() {
        return servedBase;
    }
}
