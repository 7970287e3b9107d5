/// A strict JSON reader (RFC 8259) producing hm values: objects keep their key order, integers
/// stay ints (floats when they have a fraction or exponent or overflow), errors name the byte
/// offset. Nesting is limited so that hostile input cannot exhaust the native stack.
struct JSONReader {
  enum Failure: Error, CustomStringConvertible {
    case at(Int, String)
    var description: String { if case .at(let o, let m) = self { return "\(m) at byte \(o)" }; return "" }
  }

  let bytes: [UInt8]
  var i = 0
  let vm: VM
  var depth = 0

  init(_ text: String, vm: VM) { bytes = Array(text.utf8); self.vm = vm }

  mutating func document() throws -> Value {
    let v = try value()
    skipSpace()
    if i < bytes.count { throw Failure.at(i, "unexpected text after the JSON value") }
    return v
  }

  mutating func skipSpace() {
    while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
  }

  mutating func expect(_ word: String) throws {
    let w = Array(word.utf8)
    guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw Failure.at(i, "expected '\(word)'") }
    i += w.count
  }

  mutating func value() throws -> Value {
    skipSpace()
    guard i < bytes.count else { throw Failure.at(i, "unexpected end of input") }
    switch bytes[i] {
    case UInt8(ascii: "{"):
      depth += 1; defer { depth -= 1 }
      if depth > 512 { throw Failure.at(i, "nested too deeply") }
      i += 1
      let m = MapObject()
      skipSpace()
      if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return vm.heap.makeMap(m) }
      while true {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Failure.at(i, "expected a string key") }
        let key = try string()
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw Failure.at(i, "expected ':'") }
        i += 1
        try m.set(vm.heap.intern(key), try value())
        skipSpace()
        guard i < bytes.count else { throw Failure.at(i, "unterminated object") }
        if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
        if bytes[i] == UInt8(ascii: "}") { i += 1; return vm.heap.makeMap(m) }
        throw Failure.at(i, "expected ',' or '}'")
      }
    case UInt8(ascii: "["):
      depth += 1; defer { depth -= 1 }
      if depth > 512 { throw Failure.at(i, "nested too deeply") }
      i += 1
      var items: [Value] = []
      skipSpace()
      if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return vm.heap.makeList(items) }
      while true {
        items.append(try value())
        skipSpace()
        guard i < bytes.count else { throw Failure.at(i, "unterminated array") }
        if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
        if bytes[i] == UInt8(ascii: "]") { i += 1; return vm.heap.makeList(items) }
        throw Failure.at(i, "expected ',' or ']'")
      }
    case UInt8(ascii: "\""): return vm.heap.makeString(try string())
    case UInt8(ascii: "t"): try expect("true"); return .true
    case UInt8(ascii: "f"): try expect("false"); return .false
    case UInt8(ascii: "n"): try expect("null"); return .nil
    default: return try number()
    }
  }

  mutating func number() throws -> Value {
    let start = i
    var isFloat = false
    if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
    while i < bytes.count {
      let c = bytes[i]
      if c >= 48 && c <= 57 { i += 1 }
      else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { isFloat = true; i += 1 }
      else { break }
    }
    let text = String(decoding: bytes[start..<i], as: UTF8.self)
    if !isFloat, let v = Int(text) { return Value(v) }
    guard !text.isEmpty, let d = Double(text) else { throw Failure.at(start, "invalid value") }
    return Value(d)
  }

  mutating func string() throws -> String {
    i += 1
    var out: [UInt8] = []
    while true {
      guard i < bytes.count else { throw Failure.at(i, "unterminated string") }
      let c = bytes[i]; i += 1
      if c == UInt8(ascii: "\"") { break }
      if c < 0x20 { throw Failure.at(i - 1, "control character in string") }
      if c != UInt8(ascii: "\\") { out.append(c); continue }
      guard i < bytes.count else { throw Failure.at(i, "unterminated escape") }
      let e = bytes[i]; i += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
      case UInt8(ascii: "n"): out.append(10)
      case UInt8(ascii: "t"): out.append(9)
      case UInt8(ascii: "r"): out.append(13)
      case UInt8(ascii: "b"): out.append(8)
      case UInt8(ascii: "f"): out.append(12)
      case UInt8(ascii: "u"):
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
          i += 2
          let low = try hex4()
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        out.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
      default: throw Failure.at(i - 1, "invalid escape")
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  mutating func hex4() throws -> UInt32 {
    guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
      throw Failure.at(i, "invalid \\u escape")
    }
    i += 4
    return v
  }
}
