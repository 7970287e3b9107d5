#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Methods of strings.
enum StringPrimitives {
  static func method(_ name: String, _ params: [ParameterSpec] = [], returns: String, doc: String, example: String,
                     _ body: @escaping (NativeCall, String) throws -> Value) -> Primitive {
    Primitive(name, on: .kind(.string), params, returns: returns, category: "strings", doc: doc, example: example) { call in
      try body(call, call.receiver.string ?? "")
    }
  }

  static let all: [Primitive] = [
    method("upper", returns: "a string", doc: "The string in upper case.", example: "\"maml\".upper()") { c, s in c.vm.heap.makeString(s.uppercased()) },
    method("lower", returns: "a string", doc: "The string in lower case.", example: "\"MAML\".lower()") { c, s in c.vm.heap.makeString(s.lowercased()) },
    method("strip", returns: "a string", doc: "Without leading and trailing white space (spaces, tabs, newlines).", example: "\"  x \".strip()") { c, s in
      c.vm.heap.makeString(s.trimmingWhitespace())
    },
    method("split", [ParameterSpec("separator", .optional(.string), default: .nil)], returns: "a list of strings",
           doc: "Splits on `separator`, or on runs of white space when it is nil (dropping empty pieces, as Python).",
           example: "\"a,b,,c\".split(\",\")") { c, s in
      let parts: [String]
      if c[0].isNil { parts = s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map(String.init) }
      else {
        let sep = c.string(0)
        if sep.isEmpty { throw c.error("empty separator") }
        parts = s.pieces(separatedBy: sep)
      }
      return c.vm.heap.makeList(parts.map { c.vm.heap.makeString($0) })
    },
    method("join", [ParameterSpec("items", .list)], returns: "a string",
           doc: "The items (converted with str) joined with this string between them.",
           example: "\", \".join([\"a\", \"b\", 3])") { c, s in
      c.vm.heap.makeString(c[0].listObject.items.map { c.vm.str($0) }.joined(separator: s))
    },
    method("replace", [ParameterSpec("old", .string), ParameterSpec("new", .string)], returns: "a string",
           doc: "Every occurrence of `old` replaced by `new`.", example: "\"a-b-c\".replace(\"-\", \"+\")") { c, s in
      if c.string(0).isEmpty { throw c.error("cannot replace the empty string") }
      return c.vm.heap.makeString(s.replacing(c.string(0), with: c.string(1)))
    },
    method("find", [ParameterSpec("sub", .string)], returns: "an int",
           doc: "The character index of the first occurrence of `sub`, or -1.", example: "\"hello\".find(\"l\")  # 2") { c, s in
      guard let r = s.firstRange(of: c.string(0)) else { return Value(-1) }
      return Value(s.distance(from: s.startIndex, to: r.lowerBound))
    },
    method("contains", [ParameterSpec("sub", .string)], returns: "a bool", doc: "Whether `sub` occurs in the string (also: `sub in s`).", example: "\"maze\".contains(\"az\")") { c, s in
      Value(c.string(0).isEmpty || s.contains(c.string(0)))
    },
    method("starts_with", [ParameterSpec("prefix", .string)], returns: "a bool", doc: "Whether the string begins with `prefix`.", example: "\"run_3.csv\".starts_with(\"run\")") { c, s in Value(s.hasPrefix(c.string(0))) },
    method("ends_with", [ParameterSpec("suffix", .string)], returns: "a bool", doc: "Whether the string ends with `suffix`.", example: "\"run_3.csv\".ends_with(\".csv\")") { c, s in Value(s.hasSuffix(c.string(0))) },
    method("count", [ParameterSpec("sub", .string)], returns: "an int", doc: "Non-overlapping occurrences of `sub`.", example: "\"banana\".count(\"an\")  # 2") { c, s in
      let sub = c.string(0)
      if sub.isEmpty { throw c.error("empty substring") }
      return Value(s.pieces(separatedBy: sub).count - 1)
    },
    method("lines", returns: "a list of strings", doc: "The lines of the string, without their line breaks.", example: "\"a\\nb\".lines()") { c, s in
      var ls = s.pieces(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
      if ls.last == "" { ls.removeLast() }
      return c.vm.heap.makeList(ls.map { c.vm.heap.makeString($0) })
    },
    method("chars", returns: "a list of strings", doc: "The characters of the string.", example: "\"abc\".chars()") { c, s in
      c.vm.heap.makeList(s.map { c.vm.heap.makeString(String($0)) })
    },
    method("pad_left", [ParameterSpec("width", .int), ParameterSpec("fill", .string, default: .string(" "))], returns: "a string",
           doc: "Right-aligned in `width` characters, filled on the left.", example: "\"7\".pad_left(3, fill: \"0\")") { c, s in
      let n = c.int(0) - s.count, fill = c.string(1).first ?? " "
      return c.vm.heap.makeString(n > 0 ? String(repeating: fill, count: n) + s : s)
    },
    method("pad_right", [ParameterSpec("width", .int), ParameterSpec("fill", .string, default: .string(" "))], returns: "a string",
           doc: "Left-aligned in `width` characters, filled on the right.", example: "\"ab\".pad_right(4) + \"|\"") { c, s in
      let n = c.int(0) - s.count, fill = c.string(1).first ?? " "
      return c.vm.heap.makeString(n > 0 ? s + String(repeating: fill, count: n) : s)
    },
    Primitive("format", [ParameterSpec("x", .number), ParameterSpec("digits", .int, default: .int(3)),
                         ParameterSpec("style", .string, default: .string("fixed"))], returns: "a string", category: "strings",
              doc: "A number as text with `digits` decimals: style \"fixed\" (12.346), \"sci\" (1.235e+01) or \"general\" (the shorter).",
              example: "format(pi, digits: 2)  # \"3.14\"") { call in
      let x = call.double(0), d = max(0, min(call.int(1), 30))
      let spec: String
      switch call.string(2) {
      case "fixed": spec = "%.\(d)f"
      case "sci": spec = "%.\(d)e"
      case "general": spec = "%.\(max(1, d))g"
      default: throw call.error("style must be \"fixed\", \"sci\" or \"general\"")
      }
      return call.vm.heap.makeString(cFormat(spec, x))
    },
  ]
}
