package dev.loraplane.serving;

/**
 * What the device serving runs on costs, for {@code loraplane_cost_usd_total{kind="serving"}}.
 *
 * @param accelerator the {@code accelerator} label: cpu, nvidia, amd or apple
 * @param usdPerHour USD per hour of the devices serving holds
 */
public record DevicePrice(String accelerator, double usdPerHour) {

    public DevicePrice {
        if (accelerator == null || accelerator.isBlank()) {
            throw new IllegalArgumentException("a device price needs the accelerator it prices");
        }
        if (!(usdPerHour >= 0) || Double.isInfinite(usdPerHour)) {
            throw new IllegalArgumentException("the price of serving on " + accelerator + " is " + usdPerHour
                    + " USD per hour; expected 0 or more");
        }
    }
}
