/**
 * Container naming and placement, as VIC engine did it: 64-hex IDs, 12-hex short IDs, docker's name pattern, the
 * `name-shortID` display name capped at 80 characters, and the datastore folder named by the ID (or, on vSAN, by
 * the display name, because vSAN wants the folder to match the VM name at creation).
 */
import { randomBytes } from 'node:crypto'

export const shortIdLength = 12
/** vSphere's limit on a VM name; the short ID always fits, the name part is cut to what is left. */
export const maxDisplayNameLength = 80
export const maxNameLength = maxDisplayNameLength - shortIdLength - 1
/** Docker's restricted name pattern; note it needs at least two characters. */
export const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
/** Longest name accepted: names are stored whole in ExtraConfig; only the display name is cut. */
export const nameLimit = 255

const idPattern = /^[0-9a-f]{64}$/

export function isContainerId(value: string): boolean {
  return idPattern.test(value)
}

export function newContainerId(): string {
  return randomBytes(32).toString('hex')
}

export function shortId(id: string): string {
  return id.slice(0, shortIdLength)
}

export function isValidName(name: string): boolean {
  return name.length <= nameLimit && namePattern.test(name)
}

/** `name-shortID`, the name cut (by bytes, as VIC did; valid names are ASCII) so the whole is at most 80. */
export function displayName(name: string, id: string): string {
  const cut = Buffer.from(name, 'utf8').subarray(0, maxNameLength).toString('utf8')
  return `${cut}-${shortId(id)}`
}

/**
 * `files.vmPathName` for a new VM: `[ds] <id>/<id>.vmx`, or on vSAN the bare `[ds]` so vSphere makes the folder
 * from the display name. A later rename never moves files.
 */
export function vmPathName(datastore: string, id: string, vsan: boolean): string {
  return vsan ? `[${datastore}]` : `[${datastore}] ${id}/${id}.vmx`
}

/**
 * The `files.vmPathName` vSphere gives the new VM: the path asked for, or on vSAN the folder it makes from the
 * display name. The service records this at create, so it needs no extra round trip to know where the VM lives;
 * the store's update loop then brings what vSphere really chose (a vSAN namespace may differ).
 */
export function createdVmPathName(datastore: string, id: string, name: string, vsan: boolean): string {
  if (!vsan) return vmPathName(datastore, id, false)
  const folder = displayName(name, id)
  return `[${datastore}] ${folder}/${folder}.vmx`
}

/** The VM's folder as a datastore path (`[ds] folder`), where its serial-port files live. */
export function vmFolder(datastore: string, id: string, name: string, vsan: boolean): string {
  return `[${datastore}] ${vsan ? displayName(name, id) : id}`
}

const adjectives = [
  'admiring', 'brave', 'calm', 'clever', 'eager', 'epic', 'focused', 'gallant', 'happy', 'jolly', 'keen', 'kind',
  'lucid', 'modest', 'nifty', 'quirky', 'serene', 'sharp', 'stoic', 'tender', 'upbeat', 'vibrant', 'wise', 'zen',
]
const scientists = [
  'babbage', 'bohr', 'curie', 'darwin', 'einstein', 'euler', 'faraday', 'galileo', 'hopper', 'hypatia', 'kepler',
  'lovelace', 'meitner', 'newton', 'noether', 'pascal', 'planck', 'ritchie', 'shannon', 'tesla', 'thompson', 'turing',
]

/** A docker-style `adjective_name` for a container created without one; `taken` is asked to avoid collisions. */
export function generateName(taken: (name: string) => boolean, random: () => number = Math.random): string {
  const pick = (list: string[]) => list[Math.floor(random() * list.length)] ?? list[0]!
  for (let attempt = 0; ; attempt++) {
    const base = `${pick(adjectives)}_${pick(scientists)}`
    const name = attempt < 10 ? base : `${base}${attempt}`
    if (!taken(name)) return name
  }
}
