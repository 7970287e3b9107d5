import HMPlot
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Text, JSON and CSV files. Writes are atomic (a temporary file renamed into place); reads
/// validate and fail with a message naming the file.
enum FilePrimitives {
  static func writeAtomically(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent()
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    do {
      try Data(text.utf8).write(to: tmp)
      if rename(tmp.path, url.path) != 0 { throw RuntimeError("cannot rename into \(path): \(String(cString: strerror(errno)))") }
    } catch let e as RuntimeError { throw e } catch {
      try? FileManager.default.removeItem(at: tmp)
      throw RuntimeError("cannot write \(path): \(error)")
    }
  }

  static func readText(_ path: String, _ who: String) throws -> String {
    guard FileManager.default.fileExists(atPath: path) else { throw RuntimeError("\(who): no file '\(path)'") }
    guard let data = FileManager.default.contents(atPath: path) else { throw RuntimeError("\(who): cannot read '\(path)'") }
    guard let text = String(data: data, encoding: .utf8) else { throw RuntimeError("\(who): '\(path)' is not UTF-8 text") }
    return text
  }

  // MARK: JSON

  /// JSON text with keys in the record's insertion order.
  static func jsonText(_ v: Value, _ vm: VM, indent: Int, level: Int = 0) throws -> String {
    if level > 500 { throw RuntimeError("json: value nested too deeply (a cycle?)") }
    let pad = indent > 0 ? "\n" + String(repeating: " ", count: indent * (level + 1)) : ""
    let close = indent > 0 ? "\n" + String(repeating: " ", count: indent * level) : ""
    let colon = indent > 0 ? ": " : ":"
    switch v.tag {
    case .list, .range:
      let items = v.tag == .list ? v.listObject.items : { let r = v.rangeObject; return (0..<r.count).map { Value(r.element($0)) } }()
      if items.isEmpty { return "[]" }
      return "[" + (try items.map { pad + (try jsonText($0, vm, indent: indent, level: level + 1)) }).joined(separator: ",") + close + "]"
    case .map:
      let entries = v.mapObject.entries
      if entries.isEmpty { return "{}" }
      return "{" + (try entries.map { pad + jsonString(vm.str($0.key)) + colon + (try jsonText($0.value, vm, indent: indent, level: level + 1)) }).joined(separator: ",") + close + "}"
    case .string: return jsonString(v.string ?? "")
    case .float:
      guard v.float.isFinite else { throw RuntimeError("json: \(formatFloat(v.float)) is not representable in JSON") }
      return "\(v.float)"
    case .nil: return "null"
    case .bool: return v.bool ? "true" : "false"
    case .int: return String(v.int)
    default: throw RuntimeError("json: cannot encode \(v.typeNameWithArticle)")
    }
  }

  static func jsonString(_ s: String) -> String { JSONText.quoted(s) }

  static func parseJSON(_ text: String, _ vm: VM, _ who: String) throws -> Value {
    var reader = JSONReader(text, vm: vm)
    do { return try reader.document() } catch { throw RuntimeError("\(who): invalid JSON (\(error))") }
  }

  // MARK: CSV (RFC 4180)

  static func parseCSV(_ text: String) throws -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = ""
    var inQuotes = false, i = text.unicodeScalars.startIndex
    let s = text.unicodeScalars
    var sawAny = false
    while i < s.endIndex {
      let c = s[i]
      sawAny = true
      if inQuotes {
        if c == "\"" {
          let n = s.index(after: i)
          if n < s.endIndex && s[n] == "\"" { field.unicodeScalars.append("\""); i = n } else { inQuotes = false }
        } else { field.unicodeScalars.append(c) }
      } else {
        switch c {
        case "\"": inQuotes = true
        case ",": row.append(field); field = ""
        case "\n": row.append(field); field = ""; rows.append(row); row = []; sawAny = false
        case "\r": break
        default: field.unicodeScalars.append(c)
        }
      }
      i = s.index(after: i)
    }
    if inQuotes { throw RuntimeError("unterminated quoted field") }
    if sawAny || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
  }

  static func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
      ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
  }

  static func csvValue(_ field: String, _ vm: VM) -> Value {
    if let i = Int(field) { return Value(i) }
    if let d = Double(field), !field.isEmpty, field.first != "+" { return Value(d) }
    return vm.heap.makeString(field)
  }

  static let all: [Primitive] = [
    Primitive("read_text", [ParameterSpec("path", .string)], returns: "a string", category: "files",
              doc: "The contents of a UTF-8 text file.", example: "write_text(\"/tmp/hm_doc.txt\", \"hi\")\nread_text(\"/tmp/hm_doc.txt\")") { c in
      c.vm.heap.makeString(try readText(c.string(0), "read_text"))
    },
    Primitive("write_text", [ParameterSpec("path", .string), ParameterSpec("text", .string)], category: "files",
              doc: "Writes the text atomically (a temporary file renamed into place), creating folders as needed.",
              example: "write_text(\"/tmp/hm_doc.txt\", \"hello\\n\")") { c in
      try writeAtomically(c.string(1), to: c.string(0)); return .nil
    },
    Primitive("file_exists", [ParameterSpec("path", .string)], returns: "a bool", category: "files",
              doc: "Whether a file or folder exists at `path`.", example: "file_exists(\"/tmp\")") { c in
      Value(FileManager.default.fileExists(atPath: c.string(0)))
    },
    Primitive("json.parse", [ParameterSpec("text", .string)], returns: "a value", category: "files",
              doc: "Parses JSON text: objects become records (keys sorted), arrays lists, null nil. (In hm string literals braces interpolate: write JSON objects with \\{ and \\}, or read them from files.)", example: "json.parse(\"[1, 2.5, null]\")") { c in
      try parseJSON(c.string(0), c.vm, "json.parse")
    },
    Primitive("json.stringify", [ParameterSpec("value"), ParameterSpec("indent", .int, default: .int(0))], returns: "a string", category: "files",
              doc: "JSON text for nil, bools, numbers, strings, lists and records (keys in insertion order); NaN and infinity are errors.",
              example: "json.stringify({a: [1, 2]})") { c in
      c.vm.heap.makeString(try jsonText(c[0], c.vm, indent: c.int(1)))
    },
    Primitive("read_json", [ParameterSpec("path", .string)], returns: "a value", category: "files",
              doc: "Reads and parses a JSON file.", example: "write_json(\"/tmp/hm_doc.json\", {seed: 3})\nread_json(\"/tmp/hm_doc.json\").seed") { c in
      try parseJSON(try readText(c.string(0), "read_json"), c.vm, "read_json: \(c.string(0))")
    },
    Primitive("write_json", [ParameterSpec("path", .string), ParameterSpec("value"), ParameterSpec("indent", .int, default: .int(2))],
              category: "files", doc: "Writes a value as JSON, atomically.", example: "write_json(\"/tmp/hm_doc.json\", {seed: 3, lr: 0.1})") { c in
      try writeAtomically(try jsonText(c[1], c.vm, indent: c.int(2)) + "\n", to: c.string(0)); return .nil
    },
    Primitive("read_csv", [ParameterSpec("path", .string), ParameterSpec("header", .bool, default: .bool(true))],
              returns: "a list of records (or of lists without a header)", category: "files",
              doc: "Reads a CSV file (RFC 4180 quoting). With a header row, each row becomes a record keyed by the column names; fields that parse as numbers become numbers.",
              example: "write_csv(\"/tmp/hm_doc.csv\", [{x: 1, y: 2.5}])\nread_csv(\"/tmp/hm_doc.csv\")[0].y") { c in
      let rows: [[String]]
      do { rows = try parseCSV(try readText(c.string(0), "read_csv")) } catch let e as RuntimeError {
        throw c.error("\(c.string(0)): \(e.message)")
      }
      if !c.bool(1) { return c.vm.heap.makeList(rows.map { c.vm.heap.makeList($0.map { csvValue($0, c.vm) }) }) }
      guard let header = rows.first else { return c.vm.heap.makeList([]) }
      var out: [Value] = []
      for (n, row) in rows.dropFirst().enumerated() {
        guard row.count == header.count else {
          throw c.error("\(c.string(0)): row \(n + 2) has \(row.count) fields, the header has \(header.count)")
        }
        let m = MapObject()
        for (k, f) in zip(header, row) { try m.set(c.vm.heap.intern(k), csvValue(f, c.vm)) }
        out.append(c.vm.heap.makeMap(m))
      }
      return c.vm.heap.makeList(out)
    },
    Primitive("write_csv", [ParameterSpec("path", .string), ParameterSpec("rows", .list)], category: "files",
              doc: "Writes a list of records as CSV with a header (the keys of the first record, in order), or a list of lists as plain rows; atomically.",
              example: "write_csv(\"/tmp/hm_doc.csv\", [{step: 1, loss: 0.5}, {step: 2, loss: 0.25}])") { c in
      let rows = c[1].listObject.items
      var lines: [String] = []
      if let first = rows.first, first.tag == .map {
        let keys = first.mapObject.entries.map(\.key)
        lines.append(keys.map { csvField(c.vm.str($0)) }.joined(separator: ","))
        for r in rows {
          guard r.tag == .map else { throw c.error("every row must be a record like the first") }
          lines.append(try keys.map { k in csvField(c.vm.str(try r.mapObject.get(k) ?? .nil)) }.joined(separator: ","))
        }
      } else {
        for r in rows {
          guard r.tag == .list else { throw c.error("rows must be records or lists") }
          lines.append(r.listObject.items.map { csvField(c.vm.str($0)) }.joined(separator: ","))
        }
      }
      try writeAtomically(lines.joined(separator: "\n") + "\n", to: c.string(0)); return .nil
    },
  ]
}
