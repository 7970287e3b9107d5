#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// How values print: `str` for `print` and interpolation (strings bare), `repr` for echo and
/// nested values (strings quoted). Floats print as Python does: shortest round-trip, `1.0`.
extension VM {
  public func str(_ v: Value) -> String { v.tag == .string ? (v.string ?? "") : repr(v) }

  public func repr(_ v: Value, width: Int = 100) -> String {
    switch v.tag {  // scalars without the cycle-detection set
    case .int: return String(v.int)
    case .float: return formatFloat(v.float)
    case .bool: return v.bool ? "true" : "false"
    case .nil: return "nil"
    default: break
    }
    var seen = Set<UInt64>()
    return format(v, depth: 0, seen: &seen, width: width)
  }

  func format(_ v: Value, depth: Int, seen: inout Set<UInt64>, width: Int) -> String {
    switch v.tag {
    case .absent: return "<absent>"
    case .nil: return "nil"
    case .bool: return v.bool ? "true" : "false"
    case .int: return String(v.int)
    case .float: return formatFloat(v.float)
    case .string: return quote(v.string ?? "")
    case .list:
      if seen.contains(v.bits) || depth > 50 { return "[...]" }
      seen.insert(v.bits); defer { seen.remove(v.bits) }
      let items = v.listObject.items
      var parts: [String] = []
      for (k, x) in items.enumerated() {
        if k == 1000 { parts.append("... \(items.count - 1000) more"); break }
        parts.append(format(x, depth: depth + 1, seen: &seen, width: width))
      }
      return "[" + parts.joined(separator: ", ") + "]"
    case .map:
      if seen.contains(v.bits) || depth > 50 { return "{...}" }
      seen.insert(v.bits); defer { seen.remove(v.bits) }
      let entries = v.mapObject.entries
      if entries.isEmpty { return "{}" }
      var parts: [String] = []
      for (k, e) in entries.enumerated() {
        if k == 1000 { parts.append("... \(entries.count - 1000) more"); break }
        let key = e.key.string.flatMap { isIdentifier($0) ? $0 : nil } ?? format(e.key, depth: depth + 1, seen: &seen, width: width)
        parts.append("\(key): \(format(e.value, depth: depth + 1, seen: &seen, width: width))")
      }
      return "{" + parts.joined(separator: ", ") + "}"
    case .range:
      let r = v.rangeObject
      return r.step == 1 ? "\(r.start)..\(r.stop)" : "range(\(r.start), \(r.stop), \(r.step))"
    case .closure: return "<fn \(v.closureObject.proto.name)>"
    case .native: return "<builtin \(v.nativeFunction.displayName)>"
    case .object: return v.nativeObject.payload.describe(width: width)
    }
  }

  func isIdentifier(_ s: String) -> Bool {
    guard let f = s.unicodeScalars.first, f == "_" || f.properties.isAlphabetic else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
      && Keyword(rawValue: s) == nil
  }
}

public func formatFloat(_ d: Double) -> String {
  if d.isNaN { return "nan" }
  if d.isInfinite { return d < 0 ? "-inf" : "inf" }
  if d == d.rounded() && abs(d) < 1e16 {
    let s = String(Int64(d))
    return (d == 0 && d.sign == .minus ? "-0" : s) + ".0"
  }
  return "\(d)"
}

public func quote(_ s: String) -> String {
  var out = "\""
  for ch in s.unicodeScalars {
    switch ch {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    case "\r": out += "\\r"
    case "{": out += "\\{"
    case "}": out += "\\}"
    default:
      if ch.value < 0x20 || ch.value == 0x7f { out += "\\u{\(String(ch.value, radix: 16))}" } else { out.unicodeScalars.append(ch) }
    }
  }
  return out + "\""
}

extension VM {
  /// `{value:spec}` in an interpolation.
  func format(_ value: Value, _ spec: FormatSpec) throws(RuntimeError) -> Value {
    heap.makeString(try spec.format(value, str: { str($0) }))
  }
}
