-- What the cost counters of a running attempt have been given: its device time up to billed_until (epoch
-- milliseconds) and its effective cost so far. A control plane that re-attaches to the attempt after a
-- restart bills on from there, so the attempt's time is counted once across the restart.
ALTER TABLE attempts ADD COLUMN billed_until BIGINT;
ALTER TABLE attempts ADD COLUMN effective_usd DOUBLE PRECISION;
