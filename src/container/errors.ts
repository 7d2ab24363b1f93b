/**
 * Container errors: one class with a stable `kind`, the code the REST API sends as `code`. The API turns kinds into
 * HTTP statuses in one table (api/errors.ts); messages say what a person can do next.
 */
export const containerErrorKinds = [
  'invalid_request',
  'invalid_name',
  'name_empty',
  'same_name',
  'not_found',
  'ambiguous_ref',
  'name_conflict',
  'rename_not_supported',
  'invalid_state',
  'container_running',
  'conflict',
  'vsphere_unavailable',
] as const

export type ContainerErrorKind = (typeof containerErrorKinds)[number]

const brand = Symbol.for('portlayer/ContainerError')

export class ContainerError extends Error {
  readonly [brand] = true
  constructor(
    readonly kind: ContainerErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ContainerError'
  }

  static is(err: unknown, kind?: ContainerErrorKind): err is ContainerError {
    return (
      typeof err === 'object' &&
      err !== null &&
      (err as Record<symbol, unknown>)[brand] === true &&
      (kind === undefined || (err as ContainerError).kind === kind)
    )
  }
}
