/// Figures straight from tables of results or logs (one row per iteration).
extension Table {
  /// Column `name` as numbers: integers and numbers as they are, text and missing cells as NaN
  /// (so they are skipped when plotted); nil when there is no such column.
  public func numericColumn(_ name: String) -> [Double]? {
    guard let j = columns.firstIndex(of: name) else { return nil }
    return rows.map { row in
      switch row[j] {
      case let .integer(i): return Double(i)
      case let .number(d): return d
      case .text, .missing: return .nan
      }
    }
  }
}

extension Figure {
  /// A line figure of columns `y` of `table` against column `x`.
  ///
  /// ```swift
  /// let log = try Table(columns: ["iteration", "pre", "post"], rows: …)
  /// let f = try Figure.line(log, x: "iteration", y: ["pre", "post"], yLabel: "return")
  /// ```
  /// - Parameters:
  ///   - x: the column of x values; nil numbers rows 1, 2, ….
  ///   - y: the columns to draw, one series each, named after them; nil takes every numeric
  ///     column other than `x`.
  /// - Throws: `PlotError.invalidArgument` naming an unknown column, `.emptyData` when there is
  ///   no numeric column to draw.
  public static func line(_ table: Table, x: String? = nil, y: [String]? = nil, title: String = "",
                          xLabel: String? = nil, yLabel: String = "") throws -> Figure {
    func column(_ name: String) throws -> [Double] {
      guard let values = table.numericColumn(name) else {
        throw PlotError.invalidArgument(
          operation: "line", detail: "no column '\(name)' (columns: \(table.columns.joined(separator: ", ")))")
      }
      return values
    }
    let xs = try x.map(column) ?? table.rows.indices.map { Double($0 + 1) }
    let names = y ?? table.columns.indices.filter { table.isNumericColumn($0) && table.columns[$0] != x }
      .map { table.columns[$0] }
    guard !names.isEmpty else {
      throw PlotError.emptyData(operation: "line", detail: "the table has no numeric column to plot")
    }
    let series = try names.map { Series($0, x: xs, y: try column($0)) }
    return try Figure.line(series, title: title, xLabel: xLabel ?? x ?? "row", yLabel: yLabel)
  }
}
