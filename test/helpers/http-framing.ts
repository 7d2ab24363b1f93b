// HTTP/1.1 request framing for the project's TCP proxies (the fault proxy, the bench's recorder), which must know
// where one request on a keep-alive socket ends. SOAP requests carry a Content-Length; a chunked body (a streamed
// datastore upload) has none, so its head is framed alone and its chunks follow as one more "request", forwarded
// all the same.

/** Size of the complete HTTP/1.1 request at the start of `buf` (Content-Length framing), or 0 while incomplete. */
export function requestSize(buf: Buffer): number {
  const end = buf.indexOf('\r\n\r\n')
  if (end < 0) return 0
  const head = buf.toString('latin1', 0, end)
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)
  const size = end + 4 + (length?.[1] ? Number(length[1]) : 0)
  return buf.length >= size ? size : 0
}
