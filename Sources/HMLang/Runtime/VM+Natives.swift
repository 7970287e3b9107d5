/// Calling natives: positional and named arguments are resolved against the declared signature,
/// defaults filled in, kinds checked — so every native gets well-formed arguments and every
/// misuse gets one clear message naming the function and the parameter.
extension VM {
  /// `callNative` on an unretained function (in a register or a method table, so alive).
  @inline(__always)
  func callNative(_ f: Unmanaged<NativeFunction>, receiver: Value, arguments args: UnsafeMutablePointer<Value>,
                  count: Int, names: ListObject?) throws(RuntimeError) -> Value {
    try f._withUnsafeGuaranteedRef { f -> Result<Value, RuntimeError> in
      do throws(RuntimeError) {
        return .success(try callNative(f, receiver: receiver, arguments: args, count: count, names: names))
      } catch {
        return .failure(error)
      }
    }.get()
  }

  func callNative(_ f: NativeFunction, receiver: Value, arguments args: UnsafeMutablePointer<Value>,
                  count: Int, names: ListObject?) throws(RuntimeError) -> Value {
    // Fast path: exactly the declared parameters, by position. The native reads them in place.
    if names == nil && count == f.parameterCount && !f.isVariadic,
       f.acceptsPositionally(UnsafePointer(args), count: count) {
      return try invoke(f, receiver: receiver, UnsafePointer(args), count, rest: [])
    }
    let params = f.signature.parameters
    let namedCount = names?.items.count ?? 0
    let positional = count - namedCount
    var resolved = [Value](repeating: .absent, count: params.count)
    var rest: [Value] = []
    let shown = f.displayName
    // With a variadic signature, every positional argument is collected; the declared
    // parameters are then options passed by name (`print(a, b, sep: ", ")`).
    let variadic = f.signature.variadic != nil
    for k in 0..<positional {
      if variadic { rest.append(args[k]) }
      else if k < params.count { resolved[k] = args[k] }
      else {
        throw RuntimeError("\(shown)() takes at most \(params.count) argument\(params.count == 1 ? "" : "s") (\(positional) given)",
                           notes: params.isEmpty ? [] : ["parameters: \(params.map(\.name).joined(separator: ", "))"])
      }
    }
    for j in 0..<namedCount {
      let name = names?.items[j].string ?? ""
      guard let k = params.firstIndex(where: { $0.name == name }) else {
        let guess = params.map(\.name).min { editDistance($0, name) < editDistance($1, name) }
        var notes = ["parameters: \(params.map(\.name).joined(separator: ", "))"]
        if let guess, editDistance(guess, name) <= max(2, name.count / 3) { notes.insert("did you mean '\(guess)'?", at: 0) }
        throw RuntimeError("\(shown)() has no parameter named '\(name)'", notes: notes)
      }
      guard resolved[k].isAbsent else { throw RuntimeError("\(shown)(): argument '\(name)' given twice") }
      resolved[k] = args[positional + j]
    }
    for k in 0..<params.count {
      let p = params[k]
      if resolved[k].isAbsent {
        switch p.defaultValue {
        case .required: throw RuntimeError("\(shown)() missing argument '\(p.name)'")
        case .nil: resolved[k] = .nil; continue
        case .bool(let b): resolved[k] = Value(b)
        case .int(let i): resolved[k] = Value(i)
        case .float(let d): resolved[k] = Value(d)
        case .string(let s): resolved[k] = heap.intern(s)
        }
      }
      if !p.kind.accepts(resolved[k]) {
        if case .nil = p.defaultValue, resolved[k].isNil { continue }
        throw RuntimeError("\(shown): '\(p.name)' must be \(p.kind.description), got \(describeForError(resolved[k]))")
      }
    }
    return try resolved.withUnsafeBufferPointer { buffer throws(RuntimeError) in
      try invoke(f, receiver: receiver, buffer.baseAddress ?? UnsafePointer(args), params.count, rest: rest)
    }
  }

  @inline(__always)
  func invoke(_ f: NativeFunction, receiver: Value, _ args: UnsafePointer<Value>, _ count: Int, rest: [Value]) throws(RuntimeError) -> Value {
    guard nativeDepth < VM.maximumNativeDepth else { throw VM.stackOverflow() }
    nativeDepth += 1
    defer { nativeDepth -= 1 }
    do {
      return try f.body(NativeCall(vm: self, receiver: receiver, argumentsPointer: args, argumentCount: count,
                                   rest: rest, function: f))
    } catch let e as RuntimeError {
      throw e
    } catch {
      throw RuntimeError(String(describing: error))
    }
  }

  /// "a string", "the int 3": how a wrong argument is named in messages.
  func describeForError(_ v: Value) -> String {
    switch v.tag {
    case .int, .float, .bool: return "\(v.typeNameWithArticle) (\(repr(v)))"
    case .string:
      let s = repr(v)
      return "a string (\(s.count > 30 ? String(s.prefix(27)) + "...\"" : s))"
    default: return v.typeNameWithArticle
    }
  }
}

extension VM {
  /// Calls the method `name` of `receiver` with no arguments (a scalar function applied to a
  /// native object delegates to its method: `exp(t)` is `t.exp()`).
  public func invokeMethod(_ name: String, on receiver: Value, _ arguments: [Value] = []) throws -> Value {
    let method = try lookupMethod(receiver, heap.intern(name).stringObject)
    var args = arguments
    return try args.withUnsafeMutableBufferPointer { b throws(RuntimeError) in
      try callNative(method, receiver: receiver, arguments: b.baseAddress ?? stack, count: b.count, names: nil)
    }
  }
}
