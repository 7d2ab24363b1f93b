#!/usr/bin/env node
/**
 * The `portlayer` executable: runs the command line with the real process around it (stdout, stderr, environment,
 * signals) and exits with its code.
 */
import { runCli } from './program.js'

function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      // A second signal while shutting down means "now".
      process.once('SIGINT', () => process.exit(130))
      process.once('SIGTERM', () => process.exit(143))
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

const code = await runCli(process.argv, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  interrupted,
})
process.exitCode = code
// Leave when the work is done even if a library left a timer or socket behind.
setTimeout(() => process.exit(code), 2000).unref()
