/// An insertion-ordered hash map from hashable values (nil, bool, numbers, strings, functions,
/// native objects) to values; records are maps with string keys. Entries live in arrays in
/// insertion order; an open-addressing index with a power-of-two mask points into them
/// (CPython's compact dict; clox's masked probing).
public final class MapObject: HeapObject {
  public private(set) var keys: [Value] = []
  public private(set) var values: [Value] = []
  private var hashes: [Int] = []
  /// Entry index + 1, 0 = empty slot, -1 = deleted slot.
  private var index: [Int32] = []
  public private(set) var count = 0

  override public init() {}
  override func trace(_ heap: Heap) {
    for v in keys { heap.mark(v) }
    for v in values { heap.mark(v) }
  }

  /// Live entries in insertion order.
  public var entries: [(key: Value, value: Value)] {
    var out: [(Value, Value)] = []
    out.reserveCapacity(count)
    for i in 0..<keys.count where !keys[i].isAbsent { out.append((keys[i], values[i])) }
    return out
  }

  func find(_ key: Value, hash: Int) -> Int? {
    guard !index.isEmpty else { return nil }
    let mask = index.count - 1
    var slot = hash & mask
    while true {
      let e = Int(index[slot])
      if e == 0 { return nil }
      if e > 0 {
        let i = e - 1
        if hashes[i] == hash && keysEqual(keys[i], key) { return i }
      }
      slot = (slot + 1) & mask
    }
  }

  public func get(_ key: Value) throws(RuntimeError) -> Value? {
    let h = try hashKey(key)
    return find(key, hash: h).map { values[$0] }
  }

  public func get(_ key: StringObject) -> Value? {
    let v = Value(key, .string)
    return find(v, hash: key.hash).map { values[$0] }
  }

  public func set(_ key: Value, _ value: Value) throws(RuntimeError) {
    let h = try hashKey(key)
    if let i = find(key, hash: h) { values[i] = value; return }
    if (keys.count + 1) * 3 >= index.count * 2 { rehash(minimum: (count + 1) * 2) }
    keys.append(key); values.append(value); hashes.append(h)
    count += 1
    insertIndex(entry: keys.count - 1, hash: h)
  }

  @discardableResult
  public func remove(_ key: Value) throws(RuntimeError) -> Value? {
    let h = try hashKey(key)
    guard let i = find(key, hash: h) else { return nil }
    let mask = index.count - 1
    var slot = h & mask
    while Int(index[slot]) != i + 1 { slot = (slot + 1) & mask }
    index[slot] = -1
    let old = values[i]
    keys[i] = .absent; values[i] = .nil
    count -= 1
    if keys.count > 16 && count * 2 < keys.count { rehash(minimum: count * 2) }
    return old
  }

  private func insertIndex(entry: Int, hash: Int) {
    let mask = index.count - 1
    var slot = hash & mask
    while index[slot] > 0 { slot = (slot + 1) & mask }
    index[slot] = Int32(entry + 1)
  }

  /// Compacts the entries and rebuilds the index with room for `minimum` entries.
  private func rehash(minimum: Int) {
    var live: [Int] = []
    live.reserveCapacity(count)
    for i in 0..<keys.count where !keys[i].isAbsent { live.append(i) }
    keys = live.map { keys[$0] }; values = live.map { values[$0] }; hashes = live.map { hashes[$0] }
    var size = 8
    while size * 2 < minimum * 3 { size *= 2 }
    index = [Int32](repeating: 0, count: size)
    for i in 0..<keys.count { insertIndex(entry: i, hash: hashes[i]) }
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
  case .string: return v.stringObject.hash
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
func keysEqual(_ a: Value, _ b: Value) -> Bool {
  if a.tag == b.tag {
    switch a.tag {
    case .string: return a.stringObject.equals(b.stringObject)
    case .float: return a.float == b.float
    default: return a.bits == b.bits
    }
  }
  if a.isNumber && b.isNumber { return a.number == b.number }
  return false
}
