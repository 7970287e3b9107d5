/// Owns every garbage-collected object and collects them by mark and sweep. Collection runs only
/// at VM safepoints (calls and loop back-edges), where every live value is in a register, a
/// global, a constant, an open upvalue or an explicit root — so native code may allocate freely
/// without rooting, unless it calls back into hm while holding new objects (see `VM.withRoots`).
public final class Heap {
  /// Every object, retained once when registered and released once when swept: the list is
  /// trivial, so compacting it costs no reference counting.
  private var objects: [Unmanaged<HeapObject>] = []
  private var interned: [String: StringObject] = [:]
  private var allocationsSinceCollection = 0
  private var threshold = 50_000
  /// Set when enough has been allocated; the VM collects at its next safepoint.
  var collectionRequested = false
  /// Marked objects whose references are not traced yet (unretained: every one is in `objects`).
  private var gray: [Unmanaged<HeapObject>] = []
  private var epoch = 0
  public private(set) var collections = 0

  public init() {}

  deinit {
    for o in objects { o.release() }
    for s in freeStrings { s.release() }
  }

  public var objectCount: Int { objects.count }

  @inline(__always) func register<T: HeapObject>(_ o: T) -> T {
    objects.append(Unmanaged.passRetained(o))
    allocationsSinceCollection += 1
    if allocationsSinceCollection >= threshold { collectionRequested = true }
    return o
  }

  public func makeString(_ s: String) -> Value {
    var s = s
    return s.withUTF8 { makeString(bytes: $0) }
  }

  /// Strings whose objects were found unreachable, kept for reuse: allocating and freeing a
  /// Swift object per string cost ~30% of string-heavy loops (glibc's allocator misses its
  /// caches when a collection frees in bulk). Each holds the +1 the heap list held.
  private var freeStrings: [Unmanaged<StringObject>] = []

  /// A recycled string object refilled by `refill`, or else `fresh()`, registered; no reference
  /// counting on the way (the heap list's +1 is the only reference the heap holds).
  @inline(__always)
  private func string(fresh: () -> StringObject, refill: (StringObject) -> Void) -> Value {
    let u: Unmanaged<StringObject>
    if let recycled = freeStrings.popLast() {
      recycled._withUnsafeGuaranteedRef(refill)
      u = recycled
    } else {
      u = Unmanaged.passRetained(fresh())
    }
    objects.append(Unmanaged<HeapObject>.fromOpaque(u.toOpaque()))
    allocationsSinceCollection += 1
    if allocationsSinceCollection >= threshold { collectionRequested = true }
    return Value(bits: UInt64(UInt(bitPattern: u.toOpaque())), tag: .string)
  }

  func string(inline words: (UInt64, UInt64, UInt64), count: Int) -> Value {
    string(fresh: { StringObject(inline: words, count: count) }, refill: { $0.reuse(inline: words, count: count) })
  }

  func string(buffer: StringBuffer, count: Int) -> Value {
    string(fresh: { StringObject(buffer: buffer, count: count) }, refill: { $0.reuse(buffer: buffer, count: count) })
  }

  /// The decimal text of an int, written straight into the string (no intermediate String).
  public func makeString(decimal value: Int) -> Value {
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    return withUnsafeMutableBytes(of: &digits) { raw -> Value in
      let out = raw.bindMemory(to: UInt8.self)
      var n = value.magnitude
      var i = out.count
      repeat {
        i -= 1
        out[i] = UInt8(truncatingIfNeeded: 48 + n % 10)
        n /= 10
      } while n > 0
      if value < 0 { i -= 1; out[i] = UInt8(ascii: "-") }
      return makeString(bytes: UnsafeBufferPointer(rebasing: out[i...]))
    }
  }
  func makeString(_ o: StringObject) -> Value { Value(register(o), .string) }
  public func makeString(bytes: UnsafeBufferPointer<UInt8>) -> Value {
    if let words = StringObject.inlineWords(bytes) { return string(inline: words, count: bytes.count) }
    let buffer = StringBuffer(capacity: bytes.count)
    if let base = bytes.baseAddress { buffer.bytes.initialize(from: base, count: bytes.count) }
    buffer.header.pointee.used = bytes.count
    return string(buffer: buffer, count: bytes.count)
  }
  /// A string shared by every use of the same text (compile-time constants, field names).
  public func intern(_ s: String) -> Value {
    if let o = interned[s] { return Value(o, .string) }
    let o = register(StringObject(s))
    interned[s] = o
    return Value(o, .string)
  }
  public func makeList(_ items: [Value]) -> Value { Value(register(ListObject(items)), .list) }
  public func makeMap(_ entries: [(String, Value)] = []) -> Value {
    let m = register(MapObject())
    for (k, v) in entries { try? m.set(intern(k), v) }
    return Value(m, .map)
  }
  public func makeMap(_ m: MapObject) -> Value { Value(register(m), .map) }
  public func makeRange(start: Int, stop: Int, step: Int) -> Value {
    Value(register(RangeObject(start: start, stop: stop, step: step)), .range)
  }
  public func makeObject(_ payload: NativeObject) -> Value {
    if let prepare = beforeFirstNativeObject {
      beforeFirstNativeObject = nil
      prepare()
    }
    return Value(register(NativeObjectBox(payload)), .object)
  }
  /// Run once, before the first native object is made (the runtime installs the methods and
  /// operators of native types then, when no script named them first).
  public var beforeFirstNativeObject: (() -> Void)?
  public func makeNative(_ f: NativeFunction) -> Value { Value(register(f), .native) }
  func makeClosure(_ c: ClosureObject) -> Value { Value(register(c), .closure) }
  func makeUpvalue(slot: Int) -> UpvalueObject { register(UpvalueObject(slot: slot)) }

  // MARK: Collection

  @inline(__always) func mark(_ v: Value) {
    guard v.tag.rawValue >= Value.Tag.string.rawValue else { return }
    // Strings reference nothing: marked without a trip through the gray list.
    if v.tag == .string { v.borrow(HeapObject.self) { $0.marked = true }; return }
    v.borrow(HeapObject.self) { markObject($0) }
  }

  func markObject(_ o: HeapObject) {
    if o.marked { return }
    o.marked = true
    gray.append(Unmanaged.passUnretained(o))
  }

  func markProto(_ p: FunctionProto) {
    if p.markEpoch == epoch { return }
    p.markEpoch = epoch
    for i in 0..<p.constantCount { mark(p.constants[i]) }
    for q in p.protos { markProto(q) }
  }

  /// Marks from the roots `markRoots` reports, then frees everything unmarked.
  func collect(markRoots: (Heap) -> Void) {
    epoch &+= 1
    markRoots(self)
    while let o = gray.popLast() { o._withUnsafeGuaranteedRef { $0.trace(self) } }
    interned = interned.filter { $0.value.marked }
    // Compact in place (a fresh array per sweep was a large allocation that made glibc
    // consolidate its free lists every collection).
    var kept = 0
    objects.withUnsafeMutableBufferPointer { list in
      for i in 0..<list.count {
        let o = list[i]
        let marked = o._withUnsafeGuaranteedRef { object -> Bool in
          let m = object.marked
          object.marked = false
          return m
        }
        if marked { list[kept] = o; kept += 1; continue }
        let isString = o._withUnsafeGuaranteedRef { $0.isString }
        if isString && freeStrings.count < 1 << 20 {
          let s = Unmanaged<StringObject>.fromOpaque(o.toOpaque())
          s._withUnsafeGuaranteedRef { $0.recycle() }
          freeStrings.append(s)
        } else {
          o.release()
        }
      }
    }
    objects.removeLast(objects.count - kept)
    let live = objects
    allocationsSinceCollection = 0
    // The next collection after as many new objects as survived (at least 50k): the heap may
    // double between collections, which keeps their amortised cost linear.
    threshold = max(50_000, live.count)
    collectionRequested = false
    collections += 1
  }
}

