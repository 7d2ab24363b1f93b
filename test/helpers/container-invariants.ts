// The rules on names and links that must hold whatever crashed or raced, checked on the simulator read on its own:
// every container VM in one RetrievePropertiesEx (raw SOAP, past portlayer), so a sample is one moment of vSphere,
// not a walk along which renames move. The checks are pure and return what is wrong, so a test can say where.
//
//   const now = await readContainers(soap, folder)
//   expect(nameViolations(now, { settled: true })).toEqual([])
import { containerKeys, unescapeNil } from '../../src/extraconfig/index.js'
import { displayName } from '../../src/container/naming.js'
import { journalKey, readJournal, type RenameJournal } from '../../src/container/rename/journal.js'
import { el, expectOk, moref, optionValues, propertyCollector, textOf, unescapeXml, type MoRef, type RawSoap } from './raw-soap.js'

/** A container VM as the simulator holds it. */
export interface NamedContainer {
  readonly moref: string
  readonly displayName: string
  readonly id: string
  /** `common/name`, or the guest-visible key of containers made before it existed */
  readonly name: string
  /** true when the name is only in the old guest-visible key (a container not migrated yet) */
  readonly legacyName: boolean
  /** the rename (or create) journal, when one is on the VM */
  readonly journal: RenameJournal | undefined
  /** targets of this container's links: `hostconfig/links` and the `who:alias` entries of every network */
  readonly linksTo: readonly string[]
  readonly extraConfig: ReadonlyMap<string, string>
}

/** Every container VM under `folder` (through child folders), read in one call (pages followed). */
export async function readContainers(soap: RawSoap, folder: MoRef): Promise<NamedContainer[]> {
  const propSet = `<propSet>${el('type', 'VirtualMachine')}${el('pathSet', 'name')}${el('pathSet', 'config.extraConfig')}</propSet>`
  const traversal =
    `<selectSet xsi:type="TraversalSpec">${el('name', 'children')}${el('type', 'Folder')}${el('path', 'childEntity')}` +
    `${el('skip', 'false')}<selectSet>${el('name', 'children')}</selectSet></selectSet>`
  const objectSet = `<objectSet>${moref('obj', folder)}${el('skip', 'true')}${traversal}</objectSet>`
  let reply = await soap.call('RetrievePropertiesEx', propertyCollector, `<specSet>${propSet}${objectSet}</specSet><options/>`)
  const out: NamedContainer[] = []
  for (;;) {
    expectOk(reply)
    for (const object of reply.text.split('<objects>').slice(1)) {
      const c = containerOf(object)
      if (c) out.push(c)
    }
    const token = textOf(reply.text, 'token')
    if (token === undefined) return out
    reply = await soap.call('ContinueRetrievePropertiesEx', propertyCollector, el('token', token))
  }
}

function containerOf(object: string): NamedContainer | undefined {
  const vm = /<obj\b[^>]*>([^<]*)<\/obj>/.exec(object)?.[1] ?? ''
  const displayName = unescapeXml(/<propSet><name>name<\/name><val\b[^>]*>([^<]*)<\/val>/.exec(object)?.[1] ?? '')
  const extraConfig = new Map(optionValues(object))
  const id = extraConfig.get(containerKeys.id)
  if (id === undefined) return undefined
  const hidden = extraConfig.get(containerKeys.name)
  const name = unescapeNil(hidden ?? extraConfig.get(containerKeys.legacyName) ?? '')
  return {
    moref: vm,
    displayName,
    id,
    name,
    legacyName: hidden === undefined,
    journal: readJournal(extraConfig),
    linksTo: linkTargets(extraConfig),
    extraConfig,
  }
}

/** Who the container's links name: docker links (`name:alias`) and network links (`who:alias`, not `:alias`). */
function linkTargets(extraConfig: ReadonlyMap<string, string>): string[] {
  const targets: string[] = []
  for (const [key, value] of extraConfig) {
    const isLinks = key === containerKeys.linksValues
    const isAliases = !key.startsWith('guestinfo.') && key.startsWith('networks|') && key.endsWith('/network/aliases~')
    if (!isLinks && !isAliases) continue
    for (const entry of unescapeNil(value).split('|')) {
      const who = entry.slice(0, Math.max(0, entry.indexOf(':')))
      if (who !== '') targets.push(who)
    }
  }
  return targets
}

export interface InvariantOptions {
  /**
   * Nothing is in flight (after a restart, or once every reply came back): no rename journal may be left, every
   * name is unique and every link names a container. Unsettled (a sample taken while renames run): a container
   * whose rename is still pending is left out of the count (its claim may yet lose and be undone), and links are
   * not checked (a rename re-points them one container at a time). A create's journal counts as holding its name
   * (it stays on every container made by a create, create.ts), so a sample must not be taken while creates race.
   */
  readonly settled: boolean
}

/** What breaks the rules, one line each; empty when all hold. */
export function nameViolations(containers: readonly NamedContainer[], options: InvariantOptions): string[] {
  const wrong: string[] = []
  for (const c of containers) {
    // a container not migrated yet keeps the display name VIC gave it, whatever its name is
    if (!c.legacyName && c.displayName !== displayName(c.name, c.id))
      wrong.push(`${c.moref}: display name ${c.displayName} does not match its name ${c.name}`)
    // a create's journal (old name '') holds only the name the container has: it may stay (create.ts)
    const createJournal = c.journal?.oldName === '' && c.journal.newName === c.name
    if (options.settled && c.journal && !createJournal)
      wrong.push(`${c.moref} (${c.name}): a rename journal is left: ${c.extraConfig.get(journalKey)}`)
  }
  const holders = new Map<string, string[]>()
  for (const c of containers) {
    if (!options.settled && c.journal?.state === 'pending' && c.journal.oldName !== '') continue
    holders.set(c.name, [...(holders.get(c.name) ?? []), c.moref])
  }
  for (const [name, vms] of holders) if (vms.length > 1) wrong.push(`name ${name} is held by ${vms.join(', ')}`)
  if (options.settled) {
    for (const c of containers)
      for (const target of c.linksTo)
        if (!holders.has(target)) wrong.push(`${c.moref} (${c.name}) links to ${target}, which no container is named`)
  }
  return wrong
}
