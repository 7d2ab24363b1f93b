/**
 * Migration errors: one class with a stable `kind`. `invalid_plugin` stops the service at start (a plugin file
 * breaks a registration rule); `invalid_data_version` and `plugin_failed` concern one VM, so the caller can report
 * that VM and carry on with the others. A failed plugin throws the subclass in migrate.ts, which carries the plugin
 * and the partial result.
 */

export type MigrationErrorKind = 'invalid_plugin' | 'invalid_data_version' | 'plugin_failed'

const brand = Symbol.for('portlayer/MigrationError')

export class MigrationError extends Error {
  readonly [brand] = true
  constructor(
    readonly kind: MigrationErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'MigrationError'
  }

  static is(err: unknown, kind?: MigrationErrorKind): err is MigrationError {
    return (
      typeof err === 'object' &&
      err !== null &&
      (err as Record<symbol, unknown>)[brand] === true &&
      (kind === undefined || (err as MigrationError).kind === kind)
    )
  }
}
