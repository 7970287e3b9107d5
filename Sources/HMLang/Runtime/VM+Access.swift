/// Indexing, slicing, fields, methods and iteration.
extension VM {
  /// A Python-style index into `count` elements (negative counts from the end).
  func normalise(_ index: Value, count: Int, of kind: String) throws(RuntimeError) -> Int {
    var i: Int
    if index.tag == .int { i = index.int }
    else if index.tag == .float, let exact = Int(exactly: index.float) { i = exact }
    else { throw RuntimeError("\(kind) index must be an int, got \(index.typeNameWithArticle)") }
    if i < 0 { i += count }
    guard i >= 0 && i < count else {
      throw RuntimeError("index \(index.tag == .int ? String(index.int) : String(index.float)) out of range for \(kind == "list" ? "a" : "a") \(kind) of length \(count)")
    }
    return i
  }

  func makeSlice(_ w: UnsafeMutablePointer<Value>) throws(RuntimeError) -> Value {
    var parts: [Int?] = []
    for k in 0..<3 {
      let v = w[k]
      if v.isNil { parts.append(nil) }
      else if v.tag == .int { parts.append(v.int) }
      else { throw RuntimeError("slice bounds must be ints or empty, got \(v.typeNameWithArticle)") }
    }
    if parts[2] == 0 { throw RuntimeError("slice step cannot be zero") }
    return heap.makeObject(Slice(lower: parts[0], upper: parts[1], step: parts[2]))
  }

  func sliceOf(_ index: Value) -> Slice? {
    index.tag == .object ? index.nativeObject.payload as? Slice : nil
  }

  func getIndex(_ container: Value, _ index: Value) throws(RuntimeError) -> Value {
    switch container.tag {
    case .list:
      if index.tag == .int, let v = container.borrow(ListObject.self, { l -> Value? in
        let k = index.int, n = l.items.count
        return k >= 0 && k < n ? l.items[k] : (k < 0 && k >= -n ? l.items[n + k] : nil)
      }) {
        return v
      }
      let items = container.listObject.items
      if let s = sliceOf(index) {
        do { return heap.makeList(try s.indices(count: items.count).map { items[$0] }) } catch { throw asRuntimeError(error) }
      }
      return items[try normalise(index, count: items.count, of: "list")]
    case .string:
      let s = container.stringObject
      if s.isASCII {
        if let sl = sliceOf(index) {
          let idx: [Int]
          do { idx = try sl.indices(count: s.count) } catch { throw asRuntimeError(error) }
          let picked = s.withBytes { bytes in idx.map { bytes[$0] } }
          return picked.withUnsafeBufferPointer { heap.makeString(bytes: $0) }
        }
        let k = try normalise(index, count: s.count, of: "string")
        return s.withBytes { heap.makeString(bytes: UnsafeBufferPointer(rebasing: $0[k..<k + 1])) }
      }
      let chars = Array(s.string)
      if let sl = sliceOf(index) {
        do { return heap.makeString(String(try sl.indices(count: chars.count).map { chars[$0] })) } catch { throw asRuntimeError(error) }
      }
      return heap.makeString(String(chars[try normalise(index, count: chars.count, of: "string")]))
    case .map:
      let h = try hashKey(index)
      if let v = container.borrow(MapObject.self, { $0.value(for: index, hash: h) }) { return v }
      throw RuntimeError("key \(repr(index)) not found in the record",
                         notes: ["use .get(key, default) for a value that may be missing"])
    case .range:
      let r = container.rangeObject
      if let sl = sliceOf(index) {
        do { return heap.makeList(try sl.indices(count: r.count).map { Value(r.element($0)) }) } catch { throw asRuntimeError(error) }
      }
      return Value(r.element(try normalise(index, count: r.count, of: "range")))
    case .object:
      return try getIndexN(container, [index])
    default:
      throw RuntimeError("cannot index \(container.typeNameWithArticle)")
    }
  }

  func getIndexN(_ container: Value, _ indices: [Value]) throws(RuntimeError) -> Value {
    if container.tag == .object, let hook = objectHooks.getIndex {
      do { if let r = try hook(container, indices) { return r } } catch { throw asRuntimeError(error) }
    }
    if indices.count == 1 && container.tag != .object { return try getIndex(container, indices[0]) }
    throw RuntimeError("cannot index \(container.typeNameWithArticle) with \(indices.count) indices")
  }

  func setIndex(_ container: Value, _ index: Value, _ value: Value) throws(RuntimeError) {
    switch container.tag {
    case .list:
      let k = try normalise(index, count: container.borrow(ListObject.self) { $0.items.count }, of: "list")
      container.borrow(ListObject.self) { $0.items[k] = value }
    case .map:
      let h = try hashKey(index)
      container.borrow(MapObject.self) { $0.set(index, value, hash: h) }
    case .object:
      try setIndexN(container, [index], value)
    case .string:
      throw RuntimeError("strings are immutable: build a new one instead of assigning to an index")
    default:
      throw RuntimeError("cannot assign into \(container.typeNameWithArticle)")
    }
  }

  func setIndexN(_ container: Value, _ indices: [Value], _ value: Value) throws(RuntimeError) {
    if container.tag == .object, let hook = objectHooks.setIndex {
      do { if try hook(container, indices, value) { return } } catch { throw asRuntimeError(error) }
    }
    if indices.count == 1 && container.tag != .object { return try setIndex(container, indices[0], value) }
    throw RuntimeError("cannot assign into \(container.typeNameWithArticle) with \(indices.count) indices")
  }

  /// `object.name`; `name` is an interned string constant. Borrows both (no ARC on the hot path).
  @inline(__always)
  func getField(_ object: Value, _ name: Value) throws(RuntimeError) -> Value {
    if object.tag == .map,
       let v = object.borrow(MapObject.self, { m in name.borrow(StringObject.self) { m.get($0) } }) {
      return v
    }
    return try getFieldSlowly(object, name.stringObject)
  }

  @inline(never)
  func getFieldSlowly(_ object: Value, _ name: StringObject) throws(RuntimeError) -> Value {
    switch object.tag {
    case .map:
      let fields = object.mapObject.entries.compactMap { $0.key.string }
      let n = name.string
      var notes: [String] = []
      if let guess = fields.min(by: { editDistance($0, n) < editDistance($1, n) }), editDistance(guess, n) <= max(1, n.count / 3) {
        notes.append("did you mean '\(guess)'?")
      }
      if !fields.isEmpty { notes.append("its fields: \(fields.prefix(12).joined(separator: ", "))") }
      throw RuntimeError("the record has no field '\(n)'", notes: notes)
    case .object:
      let type = object.nativeObject.payload.typeName
      if let p = objectProperties[type]?[name.string] {
        return try callNative(p, receiver: object, arguments: stack, count: 0, names: nil)
      }
      if objectMethods[type]?[name.string] != nil {
        throw RuntimeError("'\(name.string)' is a method of \(type): call it, as in x.\(name.string)()")
      }
      throw RuntimeError("\(object.typeNameWithArticle) has no property '\(name.string)'",
                         notes: memberNotes(object, name.string))
    default:
      if methods[object.tag][name.string] != nil {
        throw RuntimeError("'\(name.string)' is a method of \(object.typeName): call it, as in x.\(name.string)()")
      }
      throw RuntimeError("\(object.typeNameWithArticle) has no field '\(name.string)'")
    }
  }

  func memberNotes(_ object: Value, _ name: String) -> [String] {
    let members = memberNames(of: object)
    if let guess = members.min(by: { editDistance($0, name) < editDistance($1, name) }),
       editDistance(guess, name) <= max(1, name.count / 3) {
      return ["did you mean '\(guess)'?"]
    }
    return members.isEmpty ? [] : ["its members: \(members.prefix(16).joined(separator: ", "))"]
  }

  /// `object.name = value`; `name` is an interned string constant.
  @inline(__always)
  func setField(_ object: Value, _ name: Value, _ value: Value) throws(RuntimeError) {
    guard object.tag == .map else {
      throw RuntimeError("cannot set field '\(name.stringObject.string)' on \(object.typeNameWithArticle)")
    }
    object.borrow(MapObject.self) { $0.setField(name, value) }
  }

  func lookupMethod(_ receiver: Value, _ name: StringObject) throws(RuntimeError) -> NativeFunction {
    try method(of: receiver, named: Value(name, .string)).takeUnretainedValue()
  }

  /// The method `name` (a string value) of `receiver`, unretained: it lives in the method tables.
  @inline(__always)
  func method(of receiver: Value, named name: Value) throws(RuntimeError) -> Unmanaged<NativeFunction> {
    // Method names are interned constants that live as long as their functions: a
    // direct-mapped cache keyed by (kind, name identity) avoids hashing the name.
    if receiver.tag != .object {
      let e = methodCache[methodCacheSlot(receiver, name)]
      if e.name == name.bits && e.tag == receiver.tag.rawValue, let f = e.function { return f }
    }
    return Unmanaged.passUnretained(try resolveMethod(receiver, name.stringObject))
  }

  @inline(__always) private func methodCacheSlot(_ receiver: Value, _ name: Value) -> Int {
    Int(truncatingIfNeeded: (name.bits >> 4) ^ UInt64(receiver.tag.rawValue) &* 0x9e37) & (VM.methodCacheSize - 1)
  }

  /// The method tables' answer, cached for kinds other than native objects.
  private func resolveMethod(_ receiver: Value, _ name: StringObject) throws(RuntimeError) -> NativeFunction {
    let n = name.string
    if receiver.tag != .object, let m = methods[receiver.tag][n] {
      let key = Value(name, .string)
      methodCacheInUse = true
      methodCache[methodCacheSlot(receiver, key)] = MethodCacheEntry(tag: receiver.tag.rawValue, name: key.bits,
                                                                    function: Unmanaged.passUnretained(m))
      return m
    }
    if receiver.tag == .object {
      let type = receiver.nativeObject.payload.typeName
      if let m = objectMethods[type]?[n] { return m }
      if let p = objectProperties[type]?[n] { return p }
    }
    if receiver.tag == .map {
      throw RuntimeError("the record has no field or method '\(n)'", notes: memberNotes(receiver, n))
    }
    throw RuntimeError("\(receiver.typeNameWithArticle) has no method '\(n)'", notes: memberNotes(receiver, n))
  }

  /// Sets up `for` iteration: `R[0..2]` become (remaining count, next int, step) for ranges,
  /// or (list, next index, –) for everything else.
  func prepareIteration(_ R: UnsafeMutablePointer<Value>) throws(RuntimeError) {
    let v = R[0]
    switch v.tag {
    case .range:
      let r = v.rangeObject
      R[0] = Value(r.count); R[1] = Value(r.start); R[2] = Value(r.step)
    case .list:
      R[1] = Value(0)
    case .map:
      R[0] = heap.makeList(v.mapObject.entries.map(\.key)); R[1] = Value(0)
    case .string:
      R[0] = heap.makeList(v.stringObject.string.map { heap.makeString(String($0)) }); R[1] = Value(0)
    case .object:
      if let hook = objectHooks.iterate {
        do {
          if let items = try hook(v) { R[0] = heap.makeList(items); R[1] = Value(0); return }
        } catch { throw asRuntimeError(error) }
      }
      throw RuntimeError("cannot iterate over \(v.typeNameWithArticle)")
    default:
      throw RuntimeError("cannot iterate over \(v.typeNameWithArticle)")
    }
  }

  /// String interpolation: the `str` of each value, joined.
  func concatenate(_ values: UnsafeMutablePointer<Value>, count: Int) throws(RuntimeError) -> Value {
    var s = ""
    for k in 0..<count {
      let v = values[k]
      if let t = v.string { s += t } else { s += str(v) }
    }
    return heap.makeString(s)
  }
}
