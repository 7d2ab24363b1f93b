/**
 * A new writer's catch-up: before it writes, its store must hold every change the last writer made. The lease's
 * own write is a change of a VM in the folder the store follows, and vSphere reports changes in order, so once the
 * store's update loop reports the lease VM with this process's record, every earlier change has come in too: no
 * second listing of the namespace is needed.
 */
import type { MoRef } from '../../vim/index.js'
import type { ContainerStore } from '../store.js'
import { extraConfigMap } from '../vm-state.js'
import { leaseKey, parseLease } from './lease-record.js'

export function caughtUp(store: ContainerStore, leaseVm: MoRef, identity: string, timeoutMs: number): Promise<boolean> {
  const holds = (props: Readonly<Record<string, unknown>> | undefined): boolean =>
    props !== undefined && parseLease(extraConfigMap(props['config.extraConfig']).get(leaseKey))?.holder === identity
  if (holds(store.heardOf(leaseVm))) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unsubscribe()
      resolve(false)
    }, timeoutMs)
    const unsubscribe = store.onReport((vm, props) => {
      if (vm.value !== leaseVm.value || !holds(props)) return
      clearTimeout(timer)
      unsubscribe()
      resolve(true)
    })
  })
}
