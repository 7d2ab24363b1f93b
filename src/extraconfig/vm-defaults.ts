/**
 * The fixed ExtraConfig VIC gives every container VM at create, next to the encoded container (lib/spec/spec.go).
 * Each one avoids a question or a misbehaviour of the VM, hence kept as is.
 */
export const containerVmExtraConfig: Readonly<Record<string, string>> = {
  // the guest sees the UUID of its disks
  'disk.EnableUUID': 'true',
  // answer the question asked when several disks share a UUID, and when a file-backed serial port opens
  'answer.msg.disk.duplicateUUID': 'Yes',
  'answer.msg.serial.file.open': 'Append',
  'sched.mem.lpage.maxSharedPages': '256',
  'vmotion.checkpointSVGAPrimarySize': '4194304',
  'serial0.hardwareFlowControl': 'TRUE',
  // memory hot-add above 3 GB does not work in the guest
  'memory.noHotAddOver4GB': 'FALSE',
  'memory.maxGrow': '512',
  'tools.remindInstall': 'FALSE',
  'tools.upgrade.policy': 'manual',
}
