import { createRng } from '@orchestra/learning-features';

/**
 * Seeded split of task positions `0..count−1` into train and test: a Fisher–Yates shuffle with `createRng(seed)`,
 * then the first `round(count × trainShare)` are train. The same seed and count always give the same split.
 */
export function splitTasks(count: number, trainShare: number, seed: number): { train: number[]; test: number[] } {
  const order = Array.from({ length: count }, (_, index) => index);
  const random = createRng(seed);
  for (let index = order.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random.next() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  const trainSize = Math.round(count * trainShare);
  return { train: order.slice(0, trainSize), test: order.slice(trainSize) };
}
