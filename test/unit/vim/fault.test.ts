import { describe, expect, it } from 'vitest'
import { VimUnreachable } from '../../../src/vim/errors.js'
import { findFault, isFault, VimFault } from '../../../src/vim/fault.js'
import { isRetryable, isTransientFault } from '../../../src/vim/retry.js'

const concurrent = new VimFault('ConcurrentAccess', 'changed')

describe('isFault', () => {
  it('finds a fault through faultCause, JS cause and aggregate errors', () => {
    const wrapped = new VimFault('SystemError', 'outer', {}, { faultCause: concurrent })
    expect(isFault(wrapped, 'ConcurrentAccess')).toBe(true)
    expect(isFault(new Error('commit failed', { cause: wrapped }), 'ConcurrentAccess')).toBe(true)
    expect(isFault(new AggregateError([new Error('x'), concurrent]), 'ConcurrentAccess')).toBe(true)
    expect(findFault(new Error('y', { cause: concurrent }), 'VimFault')).toBe(concurrent)
  })

  it('matches a fault by any of its base types, and nothing else', () => {
    const power = new VimFault('InvalidPowerState', 'on', { existingState: 'poweredOn' })
    expect(isFault(power, 'InvalidState')).toBe(true)
    expect(isFault(power, 'VimFault')).toBe(true)
    expect(isFault(power, 'MethodFault')).toBe(true)
    expect(isFault(power, 'RuntimeFault')).toBe(false)
    expect(isFault(new VimFault('NotAuthenticated', 'x'), 'NoPermission')).toBe(true)
    expect(isFault(new Error('plain'), 'VimFault')).toBe(false)
    expect(isFault(undefined, 'VimFault')).toBe(false)
  })

  it('does not loop on a cause cycle', () => {
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    Object.defineProperty(a, 'cause', { value: b })
    expect(isFault(a, 'ConcurrentAccess')).toBe(false)
  })

  it('recognises a fault from another copy of the module by its global brand', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('portlayer.vim.VimFault')]: true, faultType: 'DuplicateName' })
    expect(VimFault.is(foreign)).toBe(true)
    expect(isFault(foreign, 'DuplicateName')).toBe(true)
  })
})

describe('what may be sent again', () => {
  it('retries transient faults for any call, lost connections only for idempotent ones', () => {
    const busy = new VimFault('TaskInProgress', 'busy')
    expect(isTransientFault(busy)).toBe(true)
    expect(isTransientFault(new VimFault('HostNotConnected', 'x'))).toBe(true)
    expect(isRetryable(busy, false)).toBe(true)
    const reset = new VimUnreachable('reset', 'http://vc', 'reset')
    expect(isRetryable(reset, true)).toBe(true)
    expect(isRetryable(reset, false)).toBe(false)
    expect(isRetryable(new VimUnreachable('timeout', 'http://vc', 't'), false)).toBe(false)
    // a refused connection never carried the request
    expect(isRetryable(new VimUnreachable('refused', 'http://vc', 'r'), false)).toBe(true)
    expect(isRetryable(new VimUnreachable('tls', 'http://vc', 'tls'), true)).toBe(false)
    expect(isRetryable(concurrent, true)).toBe(false)
  })
})
