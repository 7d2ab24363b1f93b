// Seeded draws for tests that pick at random (kill points, rename targets): the same seed gives the same run, so a
// failure is replayed by running again with the seed it printed.
export interface SeededRandom {
  /** a number in [0, 1) */
  next(): number
  /** a whole number in [0, n) */
  below(n: number): number
  /** true with probability p */
  chance(p: number): boolean
  /** one element of a non-empty list */
  pick<T>(items: readonly T[]): T
  /** the items in a random order */
  shuffle<T>(items: readonly T[]): T[]
  /**
   * Draws from 1..n without putting back, starting over with a fresh order once all were drawn: a few draws cover
   * the whole range, which independent draws may not.
   */
  bag(n: number): () => number
}

export function seededRandom(seed: number): SeededRandom {
  // mulberry32: small, fast, and good enough to spread test choices
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const below = (n: number): number => Math.floor(next() * n)
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = below(i + 1)
      ;[out[i], out[j]] = [out[j] as T, out[i] as T]
    }
    return out
  }
  return {
    next,
    below,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('nothing to pick from')
      return items[below(items.length)] as T
    },
    shuffle,
    bag(n) {
      let left: number[] = []
      return () => {
        if (left.length === 0) left = shuffle(Array.from({ length: n }, (_, i) => i + 1))
        return left.pop() as number
      }
    },
  }
}
