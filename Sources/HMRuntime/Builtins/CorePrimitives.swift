#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// print, len, range, type, conversions, assert, error, time.
enum CorePrimitives {
  static let all: [Primitive] = [
    Primitive("print", [ParameterSpec("sep", .string, default: .string(" ")), ParameterSpec("end", .string, default: .string("\n"))],
              variadic: "values", category: "core",
              doc: "Writes the values, converted with `str`, separated by `sep` and followed by `end`.",
              example: "print(\"loss\", 0.25, sep: \" = \")") { call in
      let text = call.rest.map { call.vm.str($0) }.joined(separator: call.string(0)) + call.string(1)
      call.vm.output(text)
      return .nil
    },
    Primitive("len", [ParameterSpec("x", .any)], returns: "an int", category: "core",
              doc: "The number of elements of a list, record, range or tensor (first axis), or of characters of a string.",
              example: "len([1, 2, 3])  # 3") { call in
      let v = call[0]
      switch v.tag {
      case .list: return Value(v.listObject.items.count)
      case .string: let s = v.stringObject; return Value(s.isASCII ? s.count : s.string.count)
      case .map: return Value(v.mapObject.count)
      case .range: return Value(v.rangeObject.count)
      case .object:
        if let hook = call.vm.objectHooks.length, let n = try hook(v) { return Value(n) }
        fallthrough
      default: throw call.error("\(v.typeNameWithArticle) has no length")
      }
    },
    Primitive("range", [ParameterSpec("start", .int), ParameterSpec("stop", .optional(.int), default: .nil),
                        ParameterSpec("step", .int, default: .int(1))], returns: "a range", category: "core",
              doc: "The integers from `start` (inclusive) to `stop` (exclusive) by `step`, as Python's range; with one argument, 0 to it. Ranges are lazy; `a..b` and `a..=b` are the same as `range(a, b)` and `range(a, b + 1)`.",
              example: "for i in range(0, 10, 2) { print(i) }") { call in
      let step = call.int(2)
      if step == 0 { throw call.error("step cannot be zero") }
      if call[1].isNil { return call.vm.heap.makeRange(start: 0, stop: call.int(0), step: step) }
      return call.vm.heap.makeRange(start: call.int(0), stop: call[1].int, step: step)
    },
    Primitive("type", [ParameterSpec("x", .any)], returns: "a string", category: "core",
              doc: "The type name of a value: nil, bool, int, float, string, list, record, range, function, or a native type such as tensor.",
              example: "type(1.5)  # \"float\"") { call in call.vm.heap.makeString(call[0].typeName) },
    Primitive("identical", [ParameterSpec("a", .any), ParameterSpec("b", .any)], returns: "a bool", category: "core",
              doc: "Whether a and b are the same object (lists, records, functions, native objects), or equal numbers, bools, strings or nil. `==` compares contents: two records with the same fields are ==, but not identical.",
              example: "let r = {x: 1}\nidentical(r, r) and not identical(r, {x: 1})  # true") { call in
      let a = call[0], b = call[1]
      guard a.tag == b.tag else { return Value(false) }
      return Value(a.tag == .string ? try call.vm.valuesEqual(a, b) : a.isIdentical(to: b))
    },
    Primitive("str", [ParameterSpec("x", .any)], returns: "a string", category: "core",
              doc: "The value as a string (strings unchanged; others as printed).",
              example: "str(42) + \"!\"") { call in
      switch call[0].tag {
      case .string: return call[0]
      case .int: return call.vm.heap.makeString(decimal: call[0].int)
      default: return call.vm.heap.makeString(call.vm.str(call[0]))
      }
    },
    Primitive("repr", [ParameterSpec("x", .any)], returns: "a string", category: "core",
              doc: "The value as the REPL echoes it (strings quoted and escaped).",
              example: "repr(\"a\\tb\")") { call in call.vm.heap.makeString(call.vm.repr(call[0])) },
    Primitive("int", [ParameterSpec("x", .oneOf([.number, .string, .bool]))], returns: "an int", category: "core",
              doc: "Converts to an int: floats truncate toward zero (error for NaN, infinity or out of range), strings parse as decimal, bools give 0 or 1.",
              example: "int(\"42\") + int(3.9)  # 45") { call in
      let v = call[0]
      switch v.tag {
      case .int: return v
      case .bool: return Value(v.bool ? 1 : 0)
      case .float:
        guard v.float.isFinite, let i = Int(exactly: v.float.rounded(.towardZero)) else {
          throw call.error("cannot convert \(formatFloat(v.float)) to an int")
        }
        return Value(i)
      default:
        let s = (v.string ?? "").trimmingWhitespace().replacing("_", with: "")
        guard let i = Int(s) else { throw call.error("cannot parse \(quote(v.string ?? "")) as an int") }
        return Value(i)
      }
    },
    Primitive("float", [ParameterSpec("x", .oneOf([.number, .string, .bool]))], returns: "a float", category: "core",
              doc: "Converts to a float; strings parse as decimal numbers, `inf` or `nan`.",
              example: "float(\"1e-3\") * 2") { call in
      let v = call[0]
      switch v.tag {
      case .int, .float: return Value(v.number)
      case .bool: return Value(v.bool ? 1.0 : 0.0)
      default:
        guard let d = Double((v.string ?? "").trimmingWhitespace()) else {
          throw call.error("cannot parse \(quote(v.string ?? "")) as a float")
        }
        return Value(d)
      }
    },
    Primitive("bool", [ParameterSpec("x", .any)], returns: "a bool", category: "core",
              doc: "Truthiness: nil, false, 0, 0.0, the empty string, list and record are false; everything else is true.",
              example: "bool([])  # false") { call in Value(call[0].isTruthy) },
    Primitive("assert", [ParameterSpec("condition", .any), ParameterSpec("message", .string, default: .string("assertion failed"))],
              category: "core",
              doc: "Raises an error with `message` when `condition` is false.",
              example: "assert(1 + 1 == 2, \"arithmetic\")") { call in
      if !call[0].isTruthy { throw RuntimeError(call.string(1)) }
      return .nil
    },
    Primitive("error", [ParameterSpec("message", .string)], category: "core",
              doc: "Raises a runtime error with the message; the evaluation stops with a stack trace.",
              example: "fn check(x) { if x < 0 { error(\"negative: {x}\") }; x }\ncheck(1)") { call in
      throw RuntimeError(call.string(0))
    },
    Primitive("time", [], returns: "a float (seconds)", category: "core",
              doc: "Seconds since the Unix epoch, as a float; subtract two readings to time code.",
              example: "let t0 = time()\nprint(time() - t0 >= 0)") { _ in Value(wallClockSeconds()) },
    Primitive("clock", [], returns: "a float (seconds)", category: "core",
              doc: "A monotonic clock in seconds, for measuring durations.",
              example: "let t0 = clock()\nprint(clock() - t0 >= 0)") { _ in
      Value(monotonicSeconds())
    },
    Primitive("args", [], returns: "a list of strings", category: "core",
              doc: "The arguments given after the script name on the command line (`hmaml script.hm a b`).",
              example: "print(len(args()))") { call in
      call.vm.heap.makeList(call.state.scriptArguments.map { call.vm.heap.makeString($0) })
    },
    Primitive("seed", [], returns: "an int", category: "core",
              doc: "The run's seed (`hmaml --seed N`, default 0; `random.seed(n)` changes it): record it with every result.",
              example: "print(seed())") { call in Value(Int(truncatingIfNeeded: call.state.seed)) },
    Primitive("copy", [ParameterSpec("x", .any)], returns: "a shallow copy", category: "core",
              doc: "A shallow copy of a list or record (other values are returned as they are: they are immutable).",
              example: "let a = [1, 2]\nlet b = copy(a)\nb.append(3)\nprint(len(a))  # 2") { call in
      let v = call[0]
      switch v.tag {
      case .list: return call.vm.heap.makeList(v.listObject.items)
      case .map:
        let m = MapObject()
        for (k, x) in v.mapObject.entries { try m.set(k, x) }
        return call.vm.heap.makeMap(m)
      default: return v
      }
    },
  ]
}
