/// An insertion-ordered hash map from hashable values (nil, bool, numbers, strings, functions,
/// native objects) to values; records are maps with string keys. Entries live in arrays in
/// insertion order; an open-addressing index with a power-of-two mask points into them
/// (CPython's compact dict; clox's masked probing).
public final class MapObject: HeapObject {
  /// A key, its hash and its value side by side, so that a probe touches one cache line, not
  /// three parallel arrays (finding a key was a quarter of a string-keyed map loop).
  struct Slot {
    var hash: Int
    var key: Value
    var value: Value
  }
  /// Slots in insertion order; a removed key leaves an `.absent` key until the next rehash.
  private var slots: [Slot] = []
  /// Slot index + 1, 0 = empty, -1 = deleted. Empty while the map has at most `linearLimit`
  /// slots: a small record (most are) is searched by a scan of its slots and costs one
  /// allocation fewer.
  private var index: [Int32] = []
  public private(set) var count = 0
  static let linearLimit = 8

  override public init() {}

  /// A map with room for `capacity` entries (a record literal's fields).
  init(capacity: Int) {
    super.init()
    slots.reserveCapacity(capacity)
    if capacity > MapObject.linearLimit { rehash(minimum: capacity) }
  }
  override func trace(_ heap: Heap) {
    for s in slots {
      heap.mark(s.key)
      heap.mark(s.value)
    }
  }

  /// Live entries in insertion order.
  public var entries: [(key: Value, value: Value)] {
    var out: [(Value, Value)] = []
    out.reserveCapacity(count)
    for s in slots where !s.key.isAbsent { out.append((s.key, s.value)) }
    return out
  }

  func find(_ key: Value, hash: Int) -> Int? {
    if index.isEmpty {
      for i in 0..<slots.count where slots[i].hash == hash && keysEqual(slots[i].key, key) { return i }
      return nil
    }
    let mask = index.count - 1
    var probe = hash & mask
    while true {
      let e = Int(index[probe])
      if e == 0 { return nil }
      if e > 0 {
        let i = e - 1
        if slots[i].hash == hash && keysEqual(slots[i].key, key) { return i }
      }
      probe = (probe + 1) & mask
    }
  }

  public func get(_ key: Value) throws(RuntimeError) -> Value? {
    value(for: key, hash: try hashKey(key))
  }

  /// The value of `key`, whose `hashKey` is `hash`.
  func value(for key: Value, hash: Int) -> Value? {
    find(key, hash: hash).map { slots[$0].value }
  }

  public func get(_ key: StringObject) -> Value? {
    let v = Value(key, .string)
    if let i = identicalSlot(v) { return slots[i].value }
    return find(v, hash: key.hash).map { slots[$0].value }
  }

  /// Sets the field `name` (a string) to `value`.
  func setField(_ name: Value, _ value: Value) {
    if let i = identicalSlot(name) { slots[i].value = value; return }
    set(name, value, hash: name.borrow(StringObject.self) { $0.hash })
  }

  /// In a small map, the slot whose key is this very object (or int, …), without hashing:
  /// field names are interned constants, so `r.x` finds a record literal's `x` by identity.
  @inline(__always)
  private func identicalSlot(_ key: Value) -> Int? {
    guard index.isEmpty else { return nil }
    return slots.withUnsafeBufferPointer { b in
      for i in 0..<b.count where b[i].key.isIdentical(to: key) { return i }
      return nil
    }
  }

  public func set(_ key: Value, _ value: Value) throws(RuntimeError) {
    set(key, value, hash: try hashKey(key))
  }

  /// Sets `key`, whose `hashKey` is `h`, to `value`.
  func set(_ key: Value, _ value: Value, hash h: Int) {
    if let i = find(key, hash: h) { slots[i].value = value; return }
    if index.isEmpty && slots.count < MapObject.linearLimit {
      slots.append(Slot(hash: h, key: key, value: value))
      count += 1
      return
    }
    if (slots.count + 1) * 3 >= index.count * 2 { rehash(minimum: (count + 1) * 2) }
    slots.append(Slot(hash: h, key: key, value: value))
    count += 1
    insertIndex(entry: slots.count - 1, hash: h)
  }

  @discardableResult
  public func remove(_ key: Value) throws(RuntimeError) -> Value? {
    let h = try hashKey(key)
    guard let i = find(key, hash: h) else { return nil }
    if !index.isEmpty {
      let mask = index.count - 1
      var probe = h & mask
      while Int(index[probe]) != i + 1 { probe = (probe + 1) & mask }
      index[probe] = -1
    }
    let old = slots[i].value
    slots[i].key = .absent; slots[i].value = .nil
    count -= 1
    if slots.count > 16 && count * 2 < slots.count { rehash(minimum: count * 2) }
    return old
  }

  private func insertIndex(entry: Int, hash: Int) {
    let mask = index.count - 1
    var probe = hash & mask
    while index[probe] > 0 { probe = (probe + 1) & mask }
    index[probe] = Int32(entry + 1)
  }

  /// Compacts the slots and rebuilds the index with room for `minimum` entries.
  private func rehash(minimum: Int) {
    slots.removeAll { $0.key.isAbsent }
    var size = 8
    while size * 2 < minimum * 3 { size *= 2 }
    index = [Int32](repeating: 0, count: size)
    for i in 0..<slots.count { insertIndex(entry: i, hash: slots[i].hash) }
  }
}

/// Hash of a map key; lists and maps are mutable, so they are not keys.
func hashKey(_ v: Value) throws(RuntimeError) -> Int {
  switch v.tag {
  case .nil: return 0x6e696c
  case .bool: return v.bool ? 1 : 0
  case .int: return mixHash(UInt64(bitPattern: Int64(v.int)))
  case .float:
    let d = v.float
    if d.isNaN { throw RuntimeError("a NaN cannot be a map key") }
    if let i = Int(exactly: d) { return mixHash(UInt64(bitPattern: Int64(i))) }
    return mixHash(d.bitPattern)
  case .string: return v.borrow(StringObject.self) { $0.hash }
  case .list, .map:
    throw RuntimeError("\(v.typeNameWithArticle) cannot be a map key (it is mutable); use a string or a number")
  default: return mixHash(v.bits)
  }
}

@inline(__always) func mixHash(_ x: UInt64) -> Int {
  var z = x &+ 0x9e37_79b9_7f4a_7c15
  z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
  z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
  return Int(bitPattern: UInt(z ^ (z >> 31)))
}

/// Key equality: numbers by value (1 == 1.0), strings by content, others by identity.
@inline(__always)
func keysEqual(_ a: Value, _ b: Value) -> Bool {
  if a.tag == b.tag {
    if a.bits == b.bits && a.tag != .float { return true }  // the same (interned) string, int, …
    switch a.tag {
    case .string:
      return a.borrow(StringObject.self) { x in b.borrow(StringObject.self) { y in x.equals(y) } }
    case .float: return a.float == b.float
    default: return a.bits == b.bits
    }
  }
  if a.isNumber && b.isNumber { return a.number == b.number }
  return false
}
