/**
 * The rename journal: a hidden ExtraConfig key on the renamed VM, written in the same reconfigure that renames it
 * (so it exists before any linked VM is touched) and removed once the linked containers follow. It says what the
 * rename is (old and new name), which containers' links must follow it, and which attempt wrote it (`claim`, a
 * random token, so only that attempt's journal is removed). Only a rename with linked containers writes one.
 *
 * A journal found by a new writer means the last one died mid-rename: the takeover settles it (execute.ts). Older
 * portlayer releases also wrote a `state` and, for creates, a journal with old name ''; both still read.
 */
import { hiddenKey } from '../../extraconfig/index.js'

export const journalKey = hiddenKey('portlayer', 'rename')

export type JournalState = 'pending' | 'won'

export interface RenameJournal {
  /** '' when the journal is a create's */
  readonly oldName: string
  readonly newName: string
  /** IDs of the containers whose links name the old name */
  readonly linked: readonly string[]
  /** the attempt that wrote the journal */
  readonly claim: string
  readonly state: JournalState
}

export function formatJournal(journal: RenameJournal): string {
  return JSON.stringify({
    old: journal.oldName,
    new: journal.newName,
    linked: journal.linked,
    claim: journal.claim,
    state: journal.state,
  })
}

/** The journal held in an ExtraConfig map, or undefined (none, or unreadable: nothing can be settled from it). */
export function readJournal(extraConfig: ReadonlyMap<string, string>): RenameJournal | undefined {
  const raw = extraConfig.get(journalKey)
  if (raw === undefined || raw === '' || raw === '<nil>') return undefined
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>
    const { old, new: newName, linked, claim, state } = parsed
    if (typeof old !== 'string' || typeof newName !== 'string' || !Array.isArray(linked)) return undefined
    return {
      oldName: old,
      newName,
      linked: linked.filter((x): x is string => typeof x === 'string'),
      claim: typeof claim === 'string' ? claim : '',
      // a journal without a state predates decisions: treat it as undecided, the safe reading
      state: state === 'won' ? 'won' : 'pending',
    }
  } catch {
    return undefined
  }
}

/** The ExtraConfig map with `journal` written, or with the journal removed when `journal` is undefined. */
export function withJournal(
  extraConfig: ReadonlyMap<string, string>,
  journal: RenameJournal | undefined,
): Map<string, string> {
  const out = new Map(extraConfig)
  if (journal) out.set(journalKey, formatJournal(journal))
  else out.delete(journalKey)
  return out
}
