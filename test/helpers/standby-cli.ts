// `portlayer` with its modules loaded ahead, for crash tests that start it many times (`standbyPortlayer` in
// portlayer-process.ts, and `portlayer migrate` the same way): it loads what its command loads, says "standby" on
// stdout, waits for a line on stdin, and then runs the command line it was given as the executable
// (src/cli/main.ts) does, so everything after the line is the real start: nothing reaches vSphere before it.
import { createInterface } from 'node:readline'
import { runCli } from '../../src/cli/program.js'

// `serve` loads its server on use: load it now, so nothing is left to load after the go
if (process.argv.includes('serve')) await import('../../src/cli/serve.js')
process.stdout.write(`${JSON.stringify({ msg: 'standby' })}\n`)
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()))

function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
}

process.exitCode = await runCli(process.argv, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  interrupted,
})
setTimeout(() => process.exit(), 2000).unref()
