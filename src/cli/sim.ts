/**
 * `portlayer sim`: runs the simulator (govcsim) on its own, for trying the service or pointing other tools at it.
 * It prints the SDK URL on the first line of stdout and the inventory as JSON after it.
 */
import type { Govcsim, GovcsimInventory } from '../sim/launcher.js'

/** The inventory as printed: the password only when it is the simulator's own default, never one the user chose. */
export function printableInventory(inventory: GovcsimInventory, passwordChosen: boolean): GovcsimInventory {
  return passwordChosen ? { ...inventory, password: '[redacted]' } : inventory
}

export function simBanner(sim: Govcsim, passwordChosen: boolean): string {
  return `${sim.url}\n${JSON.stringify(printableInventory(sim.inventory, passwordChosen), null, 2)}\n`
}
