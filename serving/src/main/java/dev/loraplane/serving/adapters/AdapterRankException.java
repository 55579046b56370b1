package dev.loraplane.serving.adapters;

/** The adapter's rank is above the largest this server is configured for (400). */
public final class AdapterRankException extends AdapterException {

    private final int rank;
    private final int maxRank;

    public AdapterRankException(String adapter, int rank, int maxRank) {
        super(adapter, "adapter '" + adapter + "' has rank r = " + rank + ", above this server's maximum of " + maxRank
                + "; retrain it with r <= " + maxRank + " or raise the server's max LoRA rank", null);
        this.rank = rank;
        this.maxRank = maxRank;
    }

    public int rank() {
        return rank;
    }

    public int maxRank() {
        return maxRank;
    }
}
