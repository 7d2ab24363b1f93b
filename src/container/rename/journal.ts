/**
 * The rename journal: a hidden ExtraConfig key on the renamed VM, written in the same reconfigure that renames it,
 * listing the containers whose links still have to be re-pointed. It is cleared once they all are. A journal found
 * at start means a process died mid-rename: recovery re-points what is left (re-pointing is idempotent) and clears
 * it, so a rename is finished or, when the rename itself never committed, never visible.
 */
import { hiddenKey } from '../../extraconfig/index.js'

export const journalKey = hiddenKey('portlayer', 'rename')

export interface RenameJournal {
  readonly oldName: string
  readonly newName: string
  /** IDs of the containers whose links name the old name */
  readonly linked: readonly string[]
}

export function formatJournal(journal: RenameJournal): string {
  return JSON.stringify({ old: journal.oldName, new: journal.newName, linked: journal.linked })
}

/** The journal held in an ExtraConfig map, or undefined (none, or unreadable: nothing can be resumed from it). */
export function readJournal(extraConfig: ReadonlyMap<string, string>): RenameJournal | undefined {
  const raw = extraConfig.get(journalKey)
  if (raw === undefined || raw === '' || raw === '<nil>') return undefined
  try {
    const parsed = JSON.parse(raw) as { old?: unknown; new?: unknown; linked?: unknown }
    if (typeof parsed.old !== 'string' || typeof parsed.new !== 'string' || !Array.isArray(parsed.linked)) return undefined
    return { oldName: parsed.old, newName: parsed.new, linked: parsed.linked.filter((x): x is string => typeof x === 'string') }
  } catch {
    return undefined
  }
}
