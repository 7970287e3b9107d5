#if canImport(Glibc)
import Glibc
#endif

/// Growable UTF-8 bytes shared by strings that are prefixes of one another: one malloc block,
/// a header then the bytes. `shares` counts the StringObjects viewing it (single-threaded, so
/// a plain integer); the last one frees it.
struct StringBuffer {
  struct Header { var capacity: Int; var used: Int; var shares: Int }
  let header: UnsafeMutablePointer<Header>

  init(capacity: Int) {
    let raw = malloc(MemoryLayout<Header>.stride + max(capacity, 1)) ?? UnsafeMutableRawPointer.allocate(
      byteCount: MemoryLayout<Header>.stride + max(capacity, 1), alignment: 8)
    header = raw.bindMemory(to: Header.self, capacity: 1)
    header.initialize(to: Header(capacity: max(capacity, 1), used: 0, shares: 0))
  }

  var bytes: UnsafeMutablePointer<UInt8> {
    (UnsafeMutableRawPointer(header) + MemoryLayout<Header>.stride).assumingMemoryBound(to: UInt8.self)
  }
}

/// An immutable hm string: a view of the first `count` bytes of a buffer. Concatenation appends
/// in place when the left operand is the longest view of its buffer and there is room, so the
/// idiom `s = s + piece` is amortised O(len(piece)) like CPython's, without reference counts
/// on the hot path: other views keep seeing their own prefix, so strings stay immutable.
public final class StringObject: HeapObject {
  let buffer: StringBuffer
  /// Length in UTF-8 bytes.
  public let count: Int
  private var cachedHash = 0
  private var hashed = false
  private var asciiState: Int8 = -1

  init(buffer: StringBuffer, count: Int) {
    self.buffer = buffer
    self.count = count
    buffer.header.pointee.shares += 1
  }

  deinit {
    buffer.header.pointee.shares -= 1
    if buffer.header.pointee.shares == 0 { free(buffer.header) }
  }

  convenience init(_ s: String) {
    var s = s
    let n = s.utf8.count
    let buffer = StringBuffer(capacity: n)
    s.withUTF8 { b in
      if let base = b.baseAddress { buffer.bytes.initialize(from: base, count: n) }
    }
    buffer.header.pointee.used = n
    self.init(buffer: buffer, count: n)
  }

  /// The bytes (valid while this string is alive).
  public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: buffer.bytes, count: count) }

  /// The Swift string (decoded from UTF-8; invalid bytes become U+FFFD).
  public var string: String { String(decoding: bytes, as: UTF8.self) }

  public var isASCII: Bool {
    if asciiState >= 0 { return asciiState == 1 }
    var ascii = true
    for b in bytes where b >= 0x80 { ascii = false; break }
    asciiState = ascii ? 1 : 0
    return ascii
  }

  /// FNV-1a over the bytes, cached.
  public var hash: Int {
    if hashed { return cachedHash }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    cachedHash = Int(bitPattern: UInt(h))
    hashed = true
    return cachedHash
  }

  public func equals(_ other: StringObject) -> Bool {
    if self === other { return true }
    if count != other.count { return false }
    if hashed && other.hashed && cachedHash != other.cachedHash { return false }
    return memcmp(buffer.bytes, other.buffer.bytes, count) == 0
  }

  /// Byte-wise ordering (which is code-point order for UTF-8).
  public func compare(_ other: StringObject) -> Int {
    let n = min(count, other.count)
    let c = memcmp(buffer.bytes, other.buffer.bytes, n)
    if c != 0 { return Int(c) }
    return count - other.count
  }

  /// `self + other`, appending in place into this buffer when possible.
  func concatenated(_ other: UnsafeBufferPointer<UInt8>) -> StringObject {
    let total = count + other.count
    let header = buffer.header
    if count == header.pointee.used && total <= header.pointee.capacity {
      if let base = other.baseAddress { (buffer.bytes + count).update(from: base, count: other.count) }
      header.pointee.used = total
      return StringObject(buffer: buffer, count: total)
    }
    let fresh = StringBuffer(capacity: total < 64 ? total : total * 2)
    fresh.bytes.initialize(from: buffer.bytes, count: count)
    if let base = other.baseAddress { (fresh.bytes + count).initialize(from: base, count: other.count) }
    fresh.header.pointee.used = total
    return StringObject(buffer: fresh, count: total)
  }
}
