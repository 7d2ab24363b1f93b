/**
 * VIC's iolog codec for container output (`output.log`): header format, writer, streaming readers and the
 * reverse-tail search. Pure; the logs endpoint supplies the bytes.
 */
export * from './header.js'
export * from './reader.js'
export * from './scanner.js'
export * from './tail.js'
export * from './timestamp.js'
export * from './writer.js'
