/// Methods of lists and records, and sorting.
enum CollectionPrimitives {
  static func list(_ name: String, _ params: [ParameterSpec] = [], returns: String = "", doc: String, example: String,
                   _ body: @escaping (NativeCall, ListObject) throws -> Value) -> Primitive {
    Primitive(name, on: .kind(.list), params, returns: returns, category: "lists", doc: doc, example: example) { call in
      try call.receiver.borrow(ListObject.self) { try body(call, $0) }
    }
  }
  static func record(_ name: String, _ params: [ParameterSpec] = [], returns: String = "", doc: String, example: String,
                     _ body: @escaping (NativeCall, MapObject) throws -> Value) -> Primitive {
    Primitive(name, on: .kind(.map), params, returns: returns, category: "records", doc: doc, example: example) { call in
      try call.receiver.borrow(MapObject.self) { try body(call, $0) }
    }
  }

  /// Stable merge sort by `key` (hm function or nil) with the VM's ordering; the values being
  /// sorted stay rooted while `key` runs hm code.
  static func sortedValues(_ call: NativeCall, _ items: [Value], key: Value, reverse: Bool) throws -> [Value] {
    try call.vm.withRoots(items) {
      let keys = key.isNil ? items : try items.map { try call.vm.call(key, [$0]) }
      return try call.vm.withRoots(keys) {
        var idx = Array(items.indices)
        var failure: Error?
        // Swift's sort is not guaranteed stable: sort indices and break ties by position.
        idx.sort { i, j in
          if failure != nil { return false }
          do {
            if try call.vm.lessThan(keys[i], keys[j]) { return !reverse }
            if try call.vm.lessThan(keys[j], keys[i]) { return reverse }
          } catch { failure = error }
          return i < j
        }
        if let failure { throw failure }
        return idx.map { items[$0] }
      }
    }
  }

  static let all: [Primitive] = [
    list("append", [ParameterSpec("x")], doc: "Adds `x` at the end (in place).", example: "let xs = [1]\nxs.append(2)") { c, l in
      l.items.append(c[0]); return .nil
    },
    list("extend", [ParameterSpec("items", .list)], doc: "Adds every element of `items` at the end (in place).", example: "let xs = [1]\nxs.extend([2, 3])") { c, l in
      l.items.append(contentsOf: c[0].listObject.items); return .nil
    },
    list("pop", [ParameterSpec("index", .int, default: .int(-1))], returns: "the removed element",
         doc: "Removes and returns the element at `index` (the last by default); an empty list is an error.", example: "let xs = [1, 2, 3]\nxs.pop()  # 3") { c, l in
      guard !l.items.isEmpty else { throw c.error("pop from an empty list") }
      var i = c.int(0)
      if i < 0 { i += l.items.count }
      guard i >= 0 && i < l.items.count else { throw c.error("index \(c.int(0)) out of range for a list of length \(l.items.count)") }
      return l.items.remove(at: i)
    },
    list("insert", [ParameterSpec("index", .int), ParameterSpec("x")], doc: "Inserts `x` before position `index` (clamped to the list).", example: "let xs = [1, 3]\nxs.insert(1, 2)") { c, l in
      var i = c.int(0)
      if i < 0 { i += l.items.count }
      l.items.insert(c[1], at: max(0, min(i, l.items.count))); return .nil
    },
    list("remove", [ParameterSpec("x")], doc: "Removes the first element equal to `x`; an error if there is none.", example: "let xs = [1, 2, 1]\nxs.remove(1)") { c, l in
      for (i, v) in l.items.enumerated() where try c.vm.valuesEqual(v, c[0]) { l.items.remove(at: i); return .nil }
      throw c.error("\(c.vm.repr(c[0])) is not in the list")
    },
    list("index", [ParameterSpec("x")], returns: "an int", doc: "The position of the first element equal to `x`, or -1.", example: "[\"a\", \"b\"].index(\"b\")  # 1") { c, l in
      for (i, v) in l.items.enumerated() where try c.vm.valuesEqual(v, c[0]) { return Value(i) }
      return Value(-1)
    },
    list("contains", [ParameterSpec("x")], returns: "a bool", doc: "Whether an element equals `x` (also: `x in xs`).", example: "[1, 2].contains(2)") { c, l in
      for v in l.items where try c.vm.valuesEqual(v, c[0]) { return .true }
      return .false
    },
    list("reverse", doc: "Reverses the list in place.", example: "let xs = [1, 2, 3]\nxs.reverse()") { _, l in l.items.reverse(); return .nil },
    list("sort", [ParameterSpec("key", .optional(.function), default: .nil), ParameterSpec("reverse", .bool, default: .bool(false))],
         doc: "Sorts in place (stable), by `key` of each element if given.", example: "let xs = [3, 1, 2]\nxs.sort(reverse: true)") { c, l in
      l.items = try sortedValues(c, l.items, key: c[0], reverse: c.bool(1)); return .nil
    },
    list("copy", returns: "a list", doc: "A shallow copy.", example: "[1, 2].copy()") { c, l in c.vm.heap.makeList(l.items) },
    list("clear", doc: "Removes every element.", example: "let xs = [1]\nxs.clear()") { _, l in l.items.removeAll(); return .nil },
    Primitive("sorted", [ParameterSpec("items", .oneOf([.list, .range, .map])), ParameterSpec("key", .optional(.function), default: .nil),
                         ParameterSpec("reverse", .bool, default: .bool(false))], returns: "a new list", category: "lists",
              doc: "The elements (of a list, range, or a record's keys) in ascending order — stable, by `key` if given.",
              example: "sorted([\"bb\", \"a\", \"ccc\"], key: len)") { c in
      let v = c[0]
      let items: [Value]
      switch v.tag {
      case .list: items = v.listObject.items
      case .range: let r = v.rangeObject; items = (0..<r.count).map { Value(r.element($0)) }
      default: items = v.mapObject.entries.map(\.key)
      }
      return c.vm.heap.makeList(try sortedValues(c, items, key: c[1], reverse: c.bool(2)))
    },
    Primitive("list", [ParameterSpec("items", .any)], returns: "a list", category: "lists",
              doc: "The elements of a range, string (characters), record (keys) or list (a copy) as a new list.",
              example: "list(0..4)") { c in
      let v = c[0]
      switch v.tag {
      case .list: return c.vm.heap.makeList(v.listObject.items)
      case .range:
        let r = v.rangeObject
        guard r.count <= 500_000_000 else { throw c.error("range too large for a list") }
        return c.vm.heap.makeList((0..<r.count).map { Value(r.element($0)) })
      case .string: return c.vm.heap.makeList((v.string ?? "").map { c.vm.heap.makeString(String($0)) })
      case .map: return c.vm.heap.makeList(v.mapObject.entries.map(\.key))
      case .object:
        if let hook = c.vm.objectHooks.iterate, let items = try hook(v) { return c.vm.heap.makeList(items) }
        fallthrough
      default: throw c.error("cannot make a list from \(v.typeNameWithArticle)")
      }
    },
    record("keys", returns: "a list", doc: "The keys in insertion order.", example: "{a: 1, b: 2}.keys()") { c, m in c.vm.heap.makeList(m.entries.map(\.key)) },
    record("values", returns: "a list", doc: "The values in insertion order.", example: "{a: 1, b: 2}.values()") { c, m in c.vm.heap.makeList(m.entries.map(\.value)) },
    record("items", returns: "a list of [key, value] pairs", doc: "The entries as pairs, for `for k, v in r.items()`.", example: "let r = {a: 1}\nfor k, v in r.items() { print(k, v) }") { c, m in
      c.vm.heap.makeList(m.entries.map { c.vm.heap.makeList([$0.key, $0.value]) })
    },
    record("get", [ParameterSpec("key"), ParameterSpec("default", default: .nil)], returns: "the value or the default",
           doc: "The value for `key`, or `default` when the key is missing.", example: "{a: 1}.get(\"b\", 0)") { c, m in
      try m.get(c[0]) ?? c[1]
    },
    record("has", [ParameterSpec("key")], returns: "a bool", doc: "Whether the record has `key` (also: `key in r`).", example: "{a: 1}.has(\"a\")") { c, m in
      Value(try m.get(c[0]) != nil)
    },
    record("remove", [ParameterSpec("key")], returns: "the removed value", doc: "Removes `key` and returns its value; an error if missing.", example: "let r = {a: 1, b: 2}\nr.remove(\"a\")") { c, m in
      guard let v = try m.remove(c[0]) else { throw c.error("key \(c.vm.repr(c[0])) not found") }
      return v
    },
    record("merge", [ParameterSpec("other", .map)], returns: "a new record", doc: "A new record with the entries of both; `other` wins on shared keys.", example: "{a: 1, b: 2}.merge({b: 3})") { c, m in
      let out = MapObject()
      for (k, v) in m.entries { try out.set(k, v) }
      for (k, v) in c[0].mapObject.entries { try out.set(k, v) }
      return c.vm.heap.makeMap(out)
    },
  ]
}
