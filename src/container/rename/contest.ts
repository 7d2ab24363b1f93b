/**
 * Who may keep a name when renames and creates race, decided without I/O: the rules of the cross-process guard
 * (cross-process.ts holds the protocol and its proof). Input is the claim being decided and every other container
 * as vSphere held it after the claim was written; output is won, lost (to whom), or "settle that rival's pending
 * rename as won first, then decide again".
 */
import type { RenameJournal } from './journal.js'

/** A container as far as names go: its name and its rename journal, if one is open. */
export interface NameHolder {
  readonly id: string
  readonly name: string
  readonly journal?: RenameJournal
}

/** A rename or a create whose journal is written and whose fate is being decided. */
export interface Claim {
  readonly id: string
  /** '' for a create: the container had no name before */
  readonly oldName: string
  readonly newName: string
}

export type Verdict =
  | { readonly kind: 'won' }
  /**
   * `final`: the holder has the name for good (no open rename), so the claim can never win it; otherwise the holder
   * is a pending claim on the same name (the one with the lowest ID), or a pending rename away from it
   */
  | { readonly kind: 'lost'; readonly holder: NameHolder; readonly final: boolean }
  /** the holder is renaming away from the name and nothing stands in its way: decide its rename won first */
  | { readonly kind: 'fence'; readonly holder: NameHolder }

/** A journal is decided when it says so, or when this process decided it and has not written that down yet. */
export function isDecided(journal: RenameJournal, decided: ReadonlySet<string>): boolean {
  return journal.state === 'won' || decided.has(journal.claim)
}

/**
 * The names a container may end up with: while an undecided rename is open, both of them; while an undecided create
 * is open (old name ''), only the new one.
 */
export function namesHeld(holder: NameHolder, decided: ReadonlySet<string>): string[] {
  const journal = holder.journal
  if (!journal || isDecided(journal, decided)) return [holder.name]
  return [...new Set([journal.oldName, journal.newName, holder.name])].filter((n) => n !== '')
}

/**
 * The verdict on `claim` given every other container. A final holder of the name wins over the claim; a rival
 * pending claim on the same name makes the claim lose (both lose when each sees the other: neither can know
 * whether the other has already answered its client); a pending rename away from the name is settled won when its
 * own new name is free, and makes the claim lose otherwise.
 */
export function contest(claim: Claim, others: readonly NameHolder[], decided: ReadonlySet<string>): Verdict {
  const rivals = others.filter((o) => o.id !== claim.id && namesHeld(o, decided).includes(claim.newName))
  if (rivals.length === 0) return { kind: 'won' }
  const final = rivals.find((r) => !r.journal || isDecided(r.journal, decided))
  if (final) return { kind: 'lost', holder: final, final: true }
  // the rival with the lowest ID is named, so the caller can tell whether it ranks below every rival
  const rivalClaim = rivals
    .filter((r) => r.journal?.newName === claim.newName)
    .sort((a, b) => a.id.localeCompare(b.id))[0]
  if (rivalClaim) return { kind: 'lost', holder: rivalClaim, final: false }
  const self: NameHolder = {
    id: claim.id,
    name: claim.newName,
    journal: { oldName: claim.oldName, newName: claim.newName, linked: [], claim: '', state: 'pending' },
  }
  for (const leaving of rivals) {
    const target = leaving.journal?.newName
    if (target !== undefined && isFree(target, leaving.id, [self, ...others.filter((o) => o.id !== claim.id)], decided))
      return { kind: 'fence', holder: leaving }
  }
  const [first] = rivals
  return { kind: 'lost', holder: first!, final: false }
}

/** Whether no container but `except` may end up with `name`. */
export function isFree(name: string, except: string, holders: readonly NameHolder[], decided: ReadonlySet<string>): boolean {
  return !holders.some((h) => h.id !== except && namesHeld(h, decided).includes(name))
}
