/// CSV and JSON-lines export of tables, and the CSV reader used to check round trips.
extension Table {
  /// RFC 4180 CSV: a header row then one record per row, `\n` line ends. A field is quoted when
  /// it holds a comma, a double quote (doubled inside), CR, LF, or leading/trailing spaces.
  /// Numbers are written in full precision (Swift's shortest round-tripping form: `0.1`,
  /// `1e-05`, `nan`, `inf`); missing values are empty fields.
  public func csv() -> String {
    var out = columns.map(Self.csvField).joined(separator: ",") + "\n"
    for row in rows { out += row.map { Self.csvField(Self.exactText($0)) }.joined(separator: ",") + "\n" }
    return out
  }

  /// One JSON object per row, keys in column order; non-finite numbers become `null`.
  public func jsonLines() -> String {
    var out = ""
    for row in rows {
      let fields = zip(columns, row).map { name, value -> String in
        let v: String
        switch value {
        case let .text(s): v = Self.jsonString(s)
        case let .integer(i): v = String(i)
        case let .number(d): v = d.isFinite ? "\(d)" : "null"
        case .missing: v = "null"
        }
        return Self.jsonString(name) + ":" + v
      }
      out += "{" + fields.joined(separator: ",") + "}\n"
    }
    return out
  }

  static func exactText(_ v: TableValue) -> String {
    switch v {
    case let .text(s): return s
    case let .integer(i): return String(i)
    case let .number(d): return "\(d)"
    case .missing: return ""
    }
  }

  static func csvField(_ s: String) -> String {
    let needsQuotes = s.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
      || s.hasPrefix(" ") || s.hasSuffix(" ")
    guard needsQuotes else { return s }
    return "\"" + s.replacing("\"", with: "\"\"") + "\""
  }

  static func jsonString(_ s: String) -> String { JSONText.quoted(s) }

  /// Parses RFC 4180 CSV into records of fields (LF or CRLF line ends; quoted fields may hold
  /// commas, quotes and line breaks). A final line end does not start an empty record.
  ///
  /// - Throws: `PlotError.invalidArgument` for an unterminated quoted field or text after a
  ///   closing quote.
  /// - Complexity: O(length).
  public static func parseCSV(_ text: String) throws -> [[String]] {
    var records: [[String]] = [], record: [String] = [], field = ""
    var scalars = Array(text.unicodeScalars)[...]
    var line = 1
    var fieldStarted = false
    while let c = scalars.popFirst() {
      switch c {
      case "\"" where field.isEmpty && !fieldStarted:
        fieldStarted = true
        var closed = false
        while let q = scalars.popFirst() {
          if q == "\"" {
            if scalars.first == "\"" { scalars.removeFirst(); field.unicodeScalars.append("\"") }
            else { closed = true; break }
          } else {
            if q == "\n" { line += 1 }
            field.unicodeScalars.append(q)
          }
        }
        guard closed else {
          throw PlotError.invalidArgument(operation: "csv", detail: "line \(line): unterminated quoted field")
        }
        if let next = scalars.first, next != ",", next != "\n", next != "\r" {
          throw PlotError.invalidArgument(operation: "csv", detail: "line \(line): text after a closing quote")
        }
      case ",":
        record.append(field); field = ""; fieldStarted = false
      case "\r", "\n":
        if c == "\r", scalars.first == "\n" { scalars.removeFirst() }
        record.append(field); records.append(record)
        record = []; field = ""; fieldStarted = false; line += 1
      default:
        fieldStarted = true
        field.unicodeScalars.append(c)
      }
    }
    if fieldStarted || !record.isEmpty || !field.isEmpty { record.append(field); records.append(record) }
    return records
  }
}
