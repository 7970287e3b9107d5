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

/// An immutable hm string. Up to 23 bytes live inline in the object (one allocation); longer
/// strings are views of the first `count` bytes of a shared buffer. Concatenation appends in
/// place when the left operand is the longest view of its buffer and there is room, so the idiom
/// `s = s + piece` is amortised O(len(piece)) like CPython's, without reference counts on the
/// hot path: other views keep seeing their own prefix, so strings stay immutable.
public final class StringObject: HeapObject {
  static let inlineCapacity = 23
  private var small: (UInt64, UInt64, UInt64)
  /// The shared buffer of a long string; nil when the bytes are inline.
  private(set) var buffer: StringBuffer?
  /// Length in UTF-8 bytes.
  public private(set) var count: Int
  private var cachedHash = 0
  private var hashed = false
  private var asciiState: Int8 = -1

  init(buffer: StringBuffer, count: Int) {
    self.buffer = buffer
    self.count = count
    self.small = (0, 0, 0)
    super.init()
    isString = true
    buffer.header.pointee.shares += 1
  }

  /// A string of `bytes` (copied): inline when short.
  init(bytes: UnsafeBufferPointer<UInt8>) {
    count = bytes.count
    if bytes.count <= StringObject.inlineCapacity {
      var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
      withUnsafeMutableBytes(of: &words) { raw in
        if let base = bytes.baseAddress { raw.baseAddress?.copyMemory(from: base, byteCount: bytes.count) }
      }
      small = words
      buffer = nil
    } else {
      let b = StringBuffer(capacity: bytes.count)
      if let base = bytes.baseAddress { b.bytes.initialize(from: base, count: bytes.count) }
      b.header.pointee.used = bytes.count
      b.header.pointee.shares = 1
      buffer = b
      small = (0, 0, 0)
    }
    super.init()
    isString = true
  }

  /// Gives up this string's contents so the heap can reuse the object (it is unreachable).
  func recycle() {
    if let buffer {
      buffer.header.pointee.shares -= 1
      if buffer.header.pointee.shares == 0 { free(buffer.header) }
    }
    buffer = nil
    count = 0
    hashed = false
    asciiState = -1
  }

  /// Refills a recycled object with a short string's inline bytes.
  func reuse(inline words: (UInt64, UInt64, UInt64), count: Int) {
    small = words; self.count = count
  }

  /// Refills a recycled object with a view of a shared buffer.
  func reuse(buffer: StringBuffer, count: Int) {
    self.buffer = buffer; self.count = count; small = (0, 0, 0)
    buffer.header.pointee.shares += 1
  }

  deinit {
    if let buffer {
      buffer.header.pointee.shares -= 1
      if buffer.header.pointee.shares == 0 { free(buffer.header) }
    }
  }

  convenience init(_ s: String) {
    var s = s
    let b: StringObject? = s.withUTF8 { StringObject(bytes: $0) }
    self.init(copying: b)
  }

  private convenience init(copying other: StringObject?) {
    guard let other else { self.init(bytes: UnsafeBufferPointer(start: nil, count: 0)); return }
    if let buffer = other.buffer { self.init(buffer: buffer, count: other.count) }
    else { self.init(inline: other.small, count: other.count) }
  }

  init(inline: (UInt64, UInt64, UInt64), count: Int) {
    self.small = inline; self.count = count; self.buffer = nil
    super.init()
    isString = true
  }

  /// The inline words of `bytes` when they fit.
  static func inlineWords(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64)? {
    guard bytes.count <= inlineCapacity else { return nil }
    var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
    withUnsafeMutableBytes(of: &words) { raw in
      if let base = bytes.baseAddress { raw.baseAddress?.copyMemory(from: base, byteCount: bytes.count) }
    }
    return words
  }

  /// Calls `body` with the bytes (valid only inside it).
  @inline(__always)
  public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    if let buffer { return try body(UnsafeBufferPointer(start: buffer.bytes, count: count)) }
    return try withUnsafeBytes(of: small) { raw in
      try body(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: count))
    }
  }

  /// The Swift string (decoded from UTF-8; invalid bytes become U+FFFD).
  public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }

  public var isASCII: Bool {
    if asciiState >= 0 { return asciiState == 1 }
    let ascii = withBytes { b in !b.contains { $0 >= 0x80 } }
    asciiState = ascii ? 1 : 0
    return ascii
  }

  /// FNV-1a over the bytes, cached.
  public var hash: Int {
    if hashed { return cachedHash }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    withBytes { for b in $0 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 } }
    cachedHash = Int(bitPattern: UInt(h))
    hashed = true
    return cachedHash
  }

  public func equals(_ other: StringObject) -> Bool {
    if self === other { return true }
    if count != other.count { return false }
    if hashed && other.hashed && cachedHash != other.cachedHash { return false }
    if buffer == nil && other.buffer == nil { return small == other.small }
    return withBytes { a in
      other.withBytes { b in
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return count == 0 }
        return memcmp(pa, pb, count) == 0
      }
    }
  }

  /// Byte-wise ordering (which is code-point order for UTF-8).
  public func compare(_ other: StringObject) -> Int {
    withBytes { a in
      other.withBytes { b in
        let n = min(count, other.count)
        guard n > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return count - other.count }
        let c = memcmp(pa, pb, n)
        return c != 0 ? Int(c) : count - other.count
      }
    }
  }

  /// `self + other`, appending in place into this buffer when possible.
  func concatenated(_ other: StringObject, heap: Heap) -> Value {
    let total = count + other.count
    if total <= StringObject.inlineCapacity {
      var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
      withUnsafeMutableBytes(of: &words) { raw in
        withBytes { a in if let base = a.baseAddress { raw.baseAddress?.copyMemory(from: base, byteCount: a.count) } }
        other.withBytes { b in
          if let base = b.baseAddress, let dst = raw.baseAddress { (dst + count).copyMemory(from: base, byteCount: b.count) }
        }
      }
      return heap.string(inline: words, count: total)
    }
    if let buffer, count == buffer.header.pointee.used && total <= buffer.header.pointee.capacity {
      other.withBytes { b in if let base = b.baseAddress { (buffer.bytes + count).update(from: base, count: b.count) } }
      buffer.header.pointee.used = total
      return heap.string(buffer: buffer, count: total)
    }
    let fresh = StringBuffer(capacity: total < 64 ? total : total * 2)
    withBytes { a in if let base = a.baseAddress { fresh.bytes.initialize(from: base, count: a.count) } }
    other.withBytes { b in if let base = b.baseAddress { (fresh.bytes + count).initialize(from: base, count: b.count) } }
    fresh.header.pointee.used = total
    return heap.string(buffer: fresh, count: total)
  }
}
