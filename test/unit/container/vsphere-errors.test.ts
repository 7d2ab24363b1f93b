import { describe, expect, it } from 'vitest'
import { isVmGone } from '../../../src/container/vsphere-errors.js'
import { moref, VimFault } from '../../../src/vim/index.js'

const vm = moref('VirtualMachine', 'vm-42')

describe('isVmGone', () => {
  it('is true when vSphere says the VM itself no longer exists, or names nothing', () => {
    expect(isVmGone(new VimFault('ManagedObjectNotFound', 'gone', { obj: vm }), vm)).toBe(true)
    expect(isVmGone(new VimFault('ManagedObjectNotFound', 'gone'), vm)).toBe(true)
  })

  it('is false when the missing object is the task of a change (the VM may be well), or another VM', () => {
    expect(isVmGone(new VimFault('ManagedObjectNotFound', 'task gone', { obj: moref('Task', 'task-7') }), vm)).toBe(false)
    expect(isVmGone(new VimFault('ManagedObjectNotFound', 'gone', { obj: moref('VirtualMachine', 'vm-43') }), vm)).toBe(false)
    expect(isVmGone(new VimFault('ConcurrentAccess', 'changed'), vm)).toBe(false)
  })
})
