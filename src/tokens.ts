/** Service identifiers of the composition root (di.ts), one per wired part. */
export const tokens = {
  config: Symbol.for('portlayer/Config'),
  logger: Symbol.for('portlayer/Logger'),
  vimClient: Symbol.for('portlayer/VimClient'),
  target: Symbol.for('portlayer/Target'),
  migrations: Symbol.for('portlayer/PluginRegistry'),
  store: Symbol.for('portlayer/ContainerStore'),
  service: Symbol.for('portlayer/ContainerService'),
} as const
