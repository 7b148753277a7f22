// Standard normal density and distribution, fast and accurate (absolute error < 1e-15;
// relative 1e-13 above -5 and 1e-8 in the far tail, where prices are ~1e-16 anyway): the
// greeks call these on every bar of a backtest, so no erf series and no allocation.

export const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2PI = 2.5066282746310002;

export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Φ(x) by Hart's rational approximation (Hart 1968, algorithm 5666, as
 * popularised by G. West, "Better approximations to cumulative normal functions", 2005):
 * a rational function in |x| below 7.07, a continued fraction beyond, 0/1 past 37.
 */
export function normalCdf(x: number): number {
  return normalCdfWithGauss(x, Math.exp(-0.5 * x * x));
}

/**
 * Φ(x) given gauss = exp(-x²/2), which the density needs too: callers wanting both pay for
 * one exp (pdf = gauss / sqrt(2π)).
 */
export function normalCdfWithGauss(x: number, gauss: number): number {
  const a = x < 0 ? -x : x;
  let tail: number;
  if (a > 37) {
    tail = 0;
  } else {
    const e = gauss;
    if (a < 7.07106781186547) {
      let n = 3.52624965998911e-2 * a + 0.700383064443688;
      n = n * a + 6.37396220353165;
      n = n * a + 33.912866078383;
      n = n * a + 112.079291497871;
      n = n * a + 221.213596169931;
      n = n * a + 220.206867912376;
      let d = 8.83883476483184e-2 * a + 1.75566716318264;
      d = d * a + 16.064177579207;
      d = d * a + 86.7807322029461;
      d = d * a + 296.564248779674;
      d = d * a + 637.333633378831;
      d = d * a + 793.826512519948;
      d = d * a + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let f = a + 0.65;
      f = a + 4 / f;
      f = a + 3 / f;
      f = a + 2 / f;
      f = a + 1 / f;
      tail = e / f / SQRT_2PI;
    }
  }
  return x > 0 ? 1 - tail : tail;
}
