// The implied vol's own fingerprint: a run's identity must change when the vols that price
// its options change, not only when their source's name does (`--iv PATH` named just the
// path, `--iv cache` a fixed text, so an edited file or a refetched cache looked the same).
import type { IvSeries } from "../market-data/index.ts";

function hashColumn(hasher: Bun.CryptoHasher, column: Float64Array | Int32Array): void {
  hasher.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
}

/** sha256 of the vols and their times (16 hex digits, as the bars' fingerprint). */
export function fingerprintIv(iv: IvSeries): string {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(`${iv.type}|`);
  switch (iv.type) {
    case "constant":
      hasher.update(String(iv.vol));
      break;
    case "daily":
      hashColumn(hasher, iv.days);
      hashColumn(hasher, iv.vols);
      break;
    case "intraday":
      hashColumn(hasher, iv.tsMs);
      hashColumn(hasher, iv.vols);
      break;
    default: {
      const unreachable: never = iv;
      throw new Error(`unknown implied vol series ${JSON.stringify(unreachable)}`);
    }
  }
  return hasher.digest("hex").slice(0, 16);
}
