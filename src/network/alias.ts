/**
 * The alias and link model, pure. VIC stores both kinds of name on a container's network endpoint as one hidden
 * slice of `who:alias` strings: an empty `who` is a network alias of the container itself, `other:alias` is a link
 * (from this container, `alias` resolves to container `other`). docker's `HostConfig.Links` use the same `name:alias`
 * form. Links name the other container by its current name, so a rename must re-point them.
 */

export interface AliasEntry {
  /** the container the alias points at; '' means the container that holds the entry */
  readonly container: string
  readonly alias: string
}

export function parseAlias(entry: string): AliasEntry {
  const at = entry.indexOf(':')
  if (at < 0) return { container: entry, alias: entry }
  return { container: entry.slice(0, at), alias: entry.slice(at + 1) }
}

export function formatAlias(entry: AliasEntry): string {
  return `${entry.container}:${entry.alias}`
}

/** Entries with `oldName:x` re-pointed to `newName:x`; undefined when nothing named `oldName`. */
export function repointEntries(
  entries: readonly string[],
  oldName: string,
  newName: string,
): string[] | undefined {
  let changed = false
  const out = entries.map((entry) => {
    const parsed = parseAlias(entry)
    if (parsed.container !== oldName || !entry.includes(':')) return entry
    changed = true
    return formatAlias({ container: newName, alias: parsed.alias })
  })
  return changed ? out : undefined
}

/** Whether any entry links to `name`. */
export function linksTo(entries: readonly string[], name: string): boolean {
  return entries.some((entry) => entry.includes(':') && parseAlias(entry).container === name)
}
