/** The service's own version, reported by `--version` and `/healthz`. */
export const serviceVersion = '0.1.0'
