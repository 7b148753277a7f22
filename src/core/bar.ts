// One OHLCV bar, labelled at its start. Shared by the broker's historical data and the sink's
// bar cache, so both speak the same shape.
export interface OhlcvBar {
  /** Bar start, epoch ms UTC. */
  readonly tsMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}
