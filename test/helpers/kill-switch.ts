// kill -9 at an exact point of a child process's conversation with vSphere: the fault proxy between the child and
// the simulator counts the child's SOAP calls, and the chosen one decides the end. Either it never reaches vSphere
// (the process is sent SIGKILL as it arrives), or it does and its answer is held back until the process is killed
// a moment later (a call applied whose answer died with the process, the hardest case for recovery). Nothing the
// child sends after it gets through. So a crash test knows exactly which calls vSphere saw, and a seed makes the
// point reproducible.
//
//   const kill = armKill(proxy, child.pid, { at: 4, deliver: true })
//   await kill.fired            // or: the work finished first, then kill.now()
import type { FaultProxy } from './fault-proxy.js'

export interface KillPoint {
  /** the call (1-based, counted from arming) on whose arrival the process is killed */
  readonly at: number
  /** whether that call reaches vSphere (its answer never comes back) */
  readonly deliver: boolean
  /** which calls count; default every SOAP call but the long poll of the update loop */
  readonly counts?: (method: string) => boolean
}

export interface KillSwitch {
  /** resolves when the process was sent SIGKILL (by the switch or by `now`) */
  readonly fired: Promise<void>
  readonly hasFired: boolean
  /** counted calls seen so far, in order */
  readonly calls: readonly string[]
  /** the call the process was killed on; undefined when `now` killed it */
  readonly killedOn: string | undefined
  /** kills the process at once (the work finished before the chosen call came) */
  now(): void
  /** stops watching: the proxy forwards everything again */
  disarm(): void
}

const background = new Set(['WaitForUpdatesEx'])
/** how long a delivered last call has to reach the simulator before the process dies (loopback: plenty) */
const deliverMs = 50

export function armKill(proxy: FaultProxy, pid: number, point: KillPoint): KillSwitch {
  const counts = point.counts ?? ((method: string) => !background.has(method))
  const calls: string[] = []
  let fired = false
  let frozen = false
  let killedOn: string | undefined
  let resolveFired: () => void = () => undefined
  const firedPromise = new Promise<void>((resolve) => (resolveFired = resolve))
  const kill = (): void => {
    if (fired) return
    fired = true
    try {
      process.kill(pid, 'SIGKILL')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
    }
    resolveFired()
  }
  proxy.watch((method) => {
    // after the last call: the process is (about to be) dead, and none of its calls reaches vSphere
    if (frozen || fired) return 'drop'
    if (method === undefined || !counts(method)) return undefined
    calls.push(method)
    if (calls.length < point.at) return undefined
    killedOn = method
    frozen = true
    if (!point.deliver) {
      kill()
      return 'drop'
    }
    setTimeout(kill, deliverMs)
    // forwarded, and the answer held back for good
    return 'stall'
  })
  return {
    fired: firedPromise,
    get hasFired() {
      return fired
    },
    calls,
    get killedOn() {
      return killedOn
    },
    now: kill,
    disarm: () => proxy.watch(undefined),
  }
}
