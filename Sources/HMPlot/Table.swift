#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One cell of a `Table`.
public enum TableValue: Sendable, Equatable, ExpressibleByStringLiteral,
  ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
  case text(String)
  case integer(Int)
  case number(Double)
  /// No value: empty in text, CSV and markdown, `null` in JSON.
  case missing

  public init(stringLiteral value: String) { self = .text(value) }
  public init(integerLiteral value: Int) { self = .integer(value) }
  public init(floatLiteral value: Double) { self = .number(value) }

  var isNumeric: Bool {
    switch self {
    case .integer, .number: return true
    case .text, .missing: return false
    }
  }
}

/// Rows of values under named columns, printed aligned for the REPL and exported as CSV,
/// JSON lines or markdown.
///
/// ```swift
/// let t = try Table(columns: ["iteration", "pre", "post"],
///                   rows: [[1, -21.3, -9.8], [2, -19.05, -8.5]])
/// print(t.renderText())
/// // iteration     pre    post
/// // ---------  ------  ------
/// //         1  -21.30   -9.80
/// //         2  -19.05   -8.50
/// ```
public struct Table: Sendable, Equatable {
  /// Column names.
  public private(set) var columns: [String]
  /// Rows, each with one value per column (an invariant kept by `init` and `append`).
  public private(set) var rows: [[TableValue]]

  /// Adds a row. - Throws: `PlotError.lengthMismatch` when its length differs from the columns'.
  public mutating func append(_ row: [TableValue]) throws {
    guard row.count == columns.count else {
      throw PlotError.lengthMismatch(
        operation: "table", detail: "row \(rows.count) has \(row.count) values, expected \(columns.count)")
    }
    rows.append(row)
  }

  /// - Throws: `PlotError.lengthMismatch` when a row's length differs from the columns'.
  public init(columns: [String], rows: [[TableValue]]) throws {
    for (i, row) in rows.enumerated() where row.count != columns.count {
      throw PlotError.lengthMismatch(
        operation: "table", detail: "row \(i) has \(row.count) values, expected \(columns.count)")
    }
    self.columns = columns; self.rows = rows
  }

  /// A table from records (ordered field lists): columns in order of first appearance, a
  /// record lacking a column gets `.missing`.
  /// - Complexity: O(records × columns).
  public init(records: [[(String, TableValue)]]) {
    var names: [String] = [], seen: Set<String> = []
    for r in records { for (k, _) in r where !seen.contains(k) { seen.insert(k); names.append(k) } }
    columns = names
    rows = records.map { r in
      var byName: [String: TableValue] = [:]
      for (k, v) in r where byName[k] == nil { byName[k] = v }
      return names.map { byName[$0] ?? .missing }
    }
  }

  /// Whether every present value of column `j` is a number (numeric columns align right).
  func isNumericColumn(_ j: Int) -> Bool {
    let present = rows.map { $0[j] }.filter { $0 != .missing }
    return !present.isEmpty && present.allSatisfy(\.isNumeric)
  }

  /// Column `j` formatted for display: integers as is; floats with one shared number of
  /// decimals (at most 4, enough for about 4 significant digits) so decimal points align, or
  /// scientific notation when magnitudes are extreme; NaN and ±inf spelled out.
  func displayColumn(_ j: Int) -> [String] {
    let values = rows.map { $0[j] }
    let doubles = values.compactMap { v -> Double? in if case let .number(d) = v, d.isFinite { return d }; return nil }
    let scientific = doubles.contains { $0 != 0 && (abs($0) >= 1e7 || abs($0) < 1e-3) }
    var decimals = 0
    for d in doubles where d != 0 {
      let needed = max(0, min(4, 3 - Int(Glibc.floor(Glibc.log10(abs(d))))))
      var s = cFormat("%.\(needed)f", d)
      if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
      let shown = s.split(separator: ".").dropFirst().first?.count ?? 0
      decimals = max(decimals, shown)
    }
    return values.map { v in
      switch v {
      case let .text(s): return s.replacing("\n", with: " ")
      case let .integer(i): return String(i)
      case .missing: return ""
      case let .number(d):
        guard d.isFinite else { return d.isNaN ? "NaN" : (d > 0 ? "inf" : "-inf") }
        return scientific ? cFormat("%.3e", d) : cFormat("%.\(decimals)f", d == 0 ? 0 : d)
      }
    }
  }

  /// Aligned plain text: a header, a rule (`─` with Unicode, `-` otherwise), then rows;
  /// numeric columns right-aligned, others left-aligned; two spaces between columns; trailing
  /// spaces trimmed. No escape codes.
  public func renderText(style: TerminalStyle = .plain) -> String {
    let cells = columns.indices.map(displayColumn)
    let numeric = columns.indices.map(isNumericColumn)
    let widths = columns.indices.map { j in max(columns[j].count, cells[j].map(\.count).max() ?? 0) }
    func pad(_ s: String, _ j: Int) -> String {
      let fill = String(repeating: " ", count: max(0, widths[j] - s.count))
      return numeric[j] ? fill + s : s + fill
    }
    var lines = [columns.indices.map { pad(columns[$0], $0) }.joined(separator: "  ")]
    lines.append(widths.map { String(repeating: style.unicode ? "─" : "-", count: $0) }.joined(separator: "  "))
    for i in rows.indices { lines.append(columns.indices.map { pad(cells[$0][i], $0) }.joined(separator: "  ")) }
    return lines.map(TerminalFrame.trimmingTrailingSpaces).joined(separator: "\n")
  }

  /// GitHub-flavoured markdown; numeric columns right-aligned (`---:`), `|` escaped.
  public func markdown() -> String {
    let cells = columns.indices.map(displayColumn)
    func escape(_ s: String) -> String { s.replacing("|", with: "\\|") }
    var lines = ["| " + columns.map(escape).joined(separator: " | ") + " |"]
    lines.append("|" + columns.indices.map { isNumericColumn($0) ? " ---: " : " --- " }.joined(separator: "|") + "|")
    for i in rows.indices { lines.append("| " + columns.indices.map { escape(cells[$0][i]) }.joined(separator: " | ") + " |") }
    return lines.joined(separator: "\n") + "\n"
  }
}
