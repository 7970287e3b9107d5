#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Growable UTF-8 bytes shared by strings that are prefixes of one another.
final class StringStorage {
  var bytes: UnsafeMutablePointer<UInt8>
  var capacity: Int
  /// Bytes in use; the string whose length equals `used` may append in place.
  var used: Int

  init(capacity: Int) {
    self.capacity = max(capacity, 1)
    bytes = .allocate(capacity: self.capacity)
    used = 0
  }
  deinit { bytes.deallocate() }
}

/// An immutable hm string: a view of the first `count` bytes of a storage. Concatenation appends
/// in place when the left operand is the longest view of its storage and there is room, so the
/// idiom `s = s + piece` is amortised O(len(piece)) like CPython's, without reference counts:
/// other views keep seeing their own prefix, so strings stay immutable.
public final class StringObject: HeapObject {
  let storage: StringStorage
  /// Length in UTF-8 bytes.
  public let count: Int
  private var cachedHash: Int?
  private var cachedIsASCII: Bool?

  init(storage: StringStorage, count: Int) {
    self.storage = storage
    self.count = count
  }

  convenience init(_ s: String) {
    var s = s
    let n = s.utf8.count
    let storage = StringStorage(capacity: n)
    s.withUTF8 { buf in
      if let base = buf.baseAddress { storage.bytes.initialize(from: base, count: n) }
    }
    storage.used = n
    self.init(storage: storage, count: n)
  }

  public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage.bytes, count: count) }

  /// The Swift string (decoded from UTF-8; invalid bytes become U+FFFD).
  public var string: String { String(decoding: bytes, as: UTF8.self) }

  public var isASCII: Bool {
    if let c = cachedIsASCII { return c }
    var ascii = true
    for b in bytes where b >= 0x80 { ascii = false; break }
    cachedIsASCII = ascii
    return ascii
  }

  /// FNV-1a over the bytes, cached.
  public var hash: Int {
    if let h = cachedHash { return h }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    let r = Int(bitPattern: UInt(h))
    cachedHash = r
    return r
  }

  public func equals(_ other: StringObject) -> Bool {
    if self === other { return true }
    if count != other.count { return false }
    if cachedHash != nil, other.cachedHash != nil, cachedHash != other.cachedHash { return false }
    return memcmp(storage.bytes, other.storage.bytes, count) == 0
  }

  /// Byte-wise ordering (which is code-point order for UTF-8).
  public func compare(_ other: StringObject) -> Int {
    let n = min(count, other.count)
    let c = memcmp(storage.bytes, other.storage.bytes, n)
    if c != 0 { return Int(c) }
    return count - other.count
  }

  /// `self + other`, appending in place into this storage when possible.
  func concatenated(_ other: UnsafeBufferPointer<UInt8>) -> StringObject {
    let total = count + other.count
    if count == storage.used && total <= storage.capacity {
      if let base = other.baseAddress { (storage.bytes + count).update(from: base, count: other.count) }
      storage.used = total
      return StringObject(storage: storage, count: total)
    }
    let fresh = StringStorage(capacity: total < 64 ? total : total * 2)
    fresh.bytes.initialize(from: storage.bytes, count: count)
    if let base = other.baseAddress { (fresh.bytes + count).initialize(from: base, count: other.count) }
    fresh.used = total
    return StringObject(storage: fresh, count: total)
  }
}
