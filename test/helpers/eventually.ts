// Waiting for something that happens in another process (the simulator reporting a change, a cache catching
// up): the check is run again until it passes or a deadline passes, and then its last failure is what the test
// reports. The deadline is a bound on waiting, not a claim about speed: tests never assert a duration.

export interface EventuallyOptions {
  /** give up after this long; default 5 s, well above the simulator's 250 ms update poll on a busy machine */
  timeoutMs?: number
  intervalMs?: number
}

export async function eventually<T>(check: () => Promise<T> | T, options: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000)
  const interval = options.intervalMs ?? 50
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() >= deadline) throw err
    }
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}
