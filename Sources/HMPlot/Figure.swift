/// The kinds of figure both back-ends draw.
public enum FigureKind: String, Sendable, CaseIterable {
  case line, scatter, histogram, bar, heatmap
}

/// One named curve or point cloud: `y[i]` at `x[i]`, with an optional band
/// `lower[i]...upper[i]` (mean ± CI) drawn shaded in SVG and dotted in the terminal.
///
/// Non-finite values (NaN, ±∞) are skipped: a line breaks there, a point is not drawn.
public struct Series: Sendable, Equatable {
  public var name: String
  public var x: [Double]
  public var y: [Double]
  public var lower: [Double]?
  public var upper: [Double]?

  /// A series at explicit `x` positions. Lengths are checked when the figure is built.
  public init(_ name: String = "", x: [Double], y: [Double],
              lower: [Double]? = nil, upper: [Double]? = nil) {
    self.name = name; self.x = x; self.y = y; self.lower = lower; self.upper = upper
  }

  /// A series at `x = 1, 2, …, y.count` (iterations, epochs).
  public init(_ name: String = "", y: [Double], lower: [Double]? = nil, upper: [Double]? = nil) {
    self.init(name, x: y.indices.map { Double($0 + 1) }, y: y, lower: lower, upper: upper)
  }

  func validate(_ op: String) throws {
    let label = name.isEmpty ? "series" : "series '\(name)'"
    guard x.count == y.count else {
      throw PlotError.lengthMismatch(
        operation: op, detail: "\(label) has \(x.count) x values but \(y.count) y values")
    }
    for (bound, values) in [("lower", lower), ("upper", upper)] {
      if let values, values.count != y.count {
        throw PlotError.lengthMismatch(
          operation: op, detail: "\(label) has \(y.count) y values but \(values.count) \(bound) values")
      }
    }
  }
}

/// Histogram bins: `counts[i]` values fell in `[edges[i], edges[i+1])` (the last bin is closed).
public struct HistogramBins: Sendable, Equatable {
  /// Bin edges, increasing; `counts.count + 1` of them.
  public var edges: [Double]
  /// Number of values per bin.
  public var counts: [Int]

  /// Explicit bins. - Throws: `PlotError.lengthMismatch` unless `edges.count == counts.count + 1`.
  public init(edges: [Double], counts: [Int]) throws {
    guard edges.count == counts.count + 1, !counts.isEmpty else {
      throw PlotError.lengthMismatch(
        operation: "histogram",
        detail: "\(counts.count) bins need \(counts.count + 1) edges, got \(edges.count)")
    }
    self.edges = edges; self.counts = counts
  }
}

/// One bar of a bar chart.
public struct Bar: Sendable, Equatable {
  public var label: String
  public var value: Double
  public init(_ label: String, _ value: Double) { self.label = label; self.value = value }
}

/// A matrix drawn as coloured cells: `values[row][column]`, row 0 at the top (as an image).
public struct HeatmapGrid: Sendable, Equatable {
  /// Rows of equal length. NaN/±∞ cells are drawn blank.
  public var values: [[Double]]
  /// Labels of rows and columns; nil for indices 0, 1, ….
  public var rowLabels: [String]?
  public var columnLabels: [String]?
  /// The values mapped to the ends of the colour map; nil for the finite extent of `values`.
  public var colourRange: ClosedRange<Double>?
  /// The colour map (viridis by default).
  public var colourMap: ColourMap
  /// Whether SVG cells show their values (when cells are large enough to hold them), as in a
  /// confusion or similarity matrix.
  public var showsValues: Bool

  public init(_ values: [[Double]], rowLabels: [String]? = nil, columnLabels: [String]? = nil,
              colourRange: ClosedRange<Double>? = nil, colourMap: ColourMap = .viridis,
              showsValues: Bool = false) {
    self.values = values; self.rowLabels = rowLabels; self.columnLabels = columnLabels
    self.colourRange = colourRange; self.colourMap = colourMap; self.showsValues = showsValues
  }

  /// Number of rows and columns.
  public var rowCount: Int { values.count }
  public var columnCount: Int { values.first?.count ?? 0 }

  /// The colour range used: `colourRange`, else the finite extent made non-degenerate.
  public var resolvedColourRange: ClosedRange<Double> {
    Ticks.nonDegenerate(colourRange ?? Ticks.finiteExtent(values) ?? 0...1)
  }

  /// The label of row `i`.
  public func rowLabel(_ i: Int) -> String {
    if let rowLabels, i < rowLabels.count { return rowLabels[i] }
    return String(i)
  }

  /// The label of column `j`.
  public func columnLabel(_ j: Int) -> String {
    if let columnLabels, j < columnLabels.count { return columnLabels[j] }
    return String(j)
  }

  func validate() throws {
    guard let first = values.first, !first.isEmpty else {
      throw PlotError.emptyData(operation: "heatmap", detail: "the matrix has no cells")
    }
    for (i, row) in values.enumerated() where row.count != first.count {
      throw PlotError.raggedMatrix(operation: "heatmap", row: i, expected: first.count, got: row.count)
    }
    if let rowLabels, rowLabels.count != values.count {
      throw PlotError.lengthMismatch(
        operation: "heatmap", detail: "\(values.count) rows but \(rowLabels.count) row labels")
    }
    if let columnLabels, columnLabels.count != first.count {
      throw PlotError.lengthMismatch(
        operation: "heatmap", detail: "\(first.count) columns but \(columnLabels.count) column labels")
    }
    if let r = colourRange, !(r.lowerBound.isFinite && r.upperBound.isFinite) {
      throw PlotError.invalidArgument(operation: "heatmap", detail: "colour range must be finite")
    }
  }
}

/// A figure description shared by the terminal and SVG back-ends.
///
/// Build one with a factory (`line`, `scatter`, `histogram`, `bar`, `heatmap`), adjust the
/// public properties, then render:
///
/// ```swift
/// let f = try Figure.line([Series("pre", y: pre), Series("post", y: post)],
///                         title: "MAML", xLabel: "iteration", yLabel: "return")
/// print(try f.renderTerminal())                 // fits the terminal, style detected
/// try f.renderSVG(width: 640, height: 400).write(toFile: "maml.svg", atomically: true, encoding: .utf8)
/// ```
///
/// Empty or all-NaN line and scatter figures render as empty axes over 0...1; histograms, bars
/// and heatmaps without data throw `PlotError.emptyData`.
public struct Figure: Sendable, Equatable {
  public var kind: FigureKind
  /// Curves (`.line`) or point clouds (`.scatter`).
  public var series: [Series] = []
  /// Bins of a `.histogram`.
  public var bins: HistogramBins?
  /// Bars of a `.bar` chart, top to bottom in the terminal, left to right in SVG.
  public var bars: [Bar] = []
  /// The matrix of a `.heatmap`.
  public var grid: HeatmapGrid?
  public var title: String = ""
  public var xLabel: String = ""
  public var yLabel: String = ""
  /// Fixed axis ranges; nil picks the data extent widened to nice ticks.
  public var xRange: ClosedRange<Double>?
  public var yRange: ClosedRange<Double>?
  /// Whether named series get a legend.
  public var showsLegend: Bool = true

  public init(kind: FigureKind) { self.kind = kind }

  /// Line plot of one or more series. - Throws: `PlotError.lengthMismatch` for unequal lengths.
  public static func line(_ series: [Series], title: String = "", xLabel: String = "",
                          yLabel: String = "") throws -> Figure {
    var f = Figure(kind: .line)
    f.series = series; f.title = title; f.xLabel = xLabel; f.yLabel = yLabel
    try f.validate()
    return f
  }

  /// Scatter plot of one or more point clouds. - Throws: as `line`.
  public static func scatter(_ series: [Series], title: String = "", xLabel: String = "",
                             yLabel: String = "") throws -> Figure {
    var f = try line(series, title: title, xLabel: xLabel, yLabel: yLabel)
    f.kind = .scatter
    return f
  }

  /// Histogram of the finite `values` (NaN and ±∞ are ignored). Without `binCount`, about
  /// Sturges' ⌈log₂ n⌉ + 1 bins of a nice width (1, 2 or 5 × 10ⁿ) starting at a multiple of it;
  /// with `binCount`, exactly that many bins (of a nice width when one fits, else of width
  /// (max − min) / binCount).
  ///
  /// - Throws: `PlotError.emptyData` without finite values, `.invalidArgument` for `binCount < 1`.
  /// - Complexity: O(n).
  public static func histogram(_ values: [Double], binCount: Int? = nil, title: String = "",
                               xLabel: String = "", yLabel: String = "count") throws -> Figure {
    var f = Figure(kind: .histogram)
    f.bins = try Histogram.bin(values, binCount: binCount)
    f.title = title; f.xLabel = xLabel; f.yLabel = yLabel
    return f
  }

  /// Bar chart of `values` labelled by `labels`.
  /// - Throws: `PlotError.lengthMismatch`, or `.emptyData` without bars.
  public static func bar(labels: [String], values: [Double], title: String = "",
                         xLabel: String = "", yLabel: String = "") throws -> Figure {
    guard labels.count == values.count else {
      throw PlotError.lengthMismatch(
        operation: "bar", detail: "\(labels.count) labels but \(values.count) values")
    }
    var f = Figure(kind: .bar)
    f.bars = zip(labels, values).map { Bar($0, $1) }
    f.title = title; f.xLabel = xLabel; f.yLabel = yLabel
    try f.validate()
    return f
  }

  /// Heatmap of `grid`. - Throws: `PlotError.emptyData`, `.raggedMatrix`, `.lengthMismatch`.
  public static func heatmap(_ grid: HeatmapGrid, title: String = "", xLabel: String = "",
                             yLabel: String = "") throws -> Figure {
    var f = Figure(kind: .heatmap)
    f.grid = grid; f.title = title; f.xLabel = xLabel; f.yLabel = yLabel
    try f.validate()
    return f
  }

  /// Checks the description is drawable; both renderers call it first.
  public func validate() throws {
    let op = kind.rawValue
    for range in [xRange, yRange].compactMap({ $0 }) {
      guard range.lowerBound.isFinite, range.upperBound.isFinite else {
        throw PlotError.invalidArgument(operation: op, detail: "axis range must be finite, got \(range)")
      }
    }
    switch kind {
    case .line, .scatter:
      for s in series { try s.validate(op) }
    case .histogram:
      guard let bins else {
        throw PlotError.emptyData(operation: op, detail: "no bins (build it with Figure.histogram)")
      }
      // The properties are public: re-check what the initialiser checked.
      _ = try HistogramBins(edges: bins.edges, counts: bins.counts)
      guard bins.counts.allSatisfy({ $0 >= 0 }) else {
        throw PlotError.invalidArgument(operation: op, detail: "bin counts must not be negative")
      }
    case .bar:
      guard !bars.isEmpty else { throw PlotError.emptyData(operation: op, detail: "no bars") }
    case .heatmap:
      guard let grid else { throw PlotError.emptyData(operation: op, detail: "no matrix") }
      try grid.validate()
    }
  }

  /// The x and y ranges of a line or scatter figure: fixed ranges as given, others the finite
  /// data extent (bands included) widened to ticks; 0...1 without data.
  func dataRanges(targetTicks: Int) -> (x: TickScale, y: TickScale) {
    let xs = Ticks.finiteExtent(series.map(\.x)) ?? 0...1
    var ys = series.map(\.y)
    for s in series { if let l = s.lower { ys.append(l) }; if let u = s.upper { ys.append(u) } }
    let yExtent = Ticks.finiteExtent(ys) ?? 0...1
    func scale(_ fixed: ClosedRange<Double>?, _ extent: ClosedRange<Double>) -> TickScale {
      guard let fixed else { return TickScale(covering: extent, targetCount: targetTicks) }
      var t = TickScale(covering: Ticks.nonDegenerate(fixed), targetCount: targetTicks)
      let r = Ticks.nonDegenerate(fixed)
      t.lower = r.lowerBound; t.upper = r.upperBound
      t.values = t.values.filter { $0 >= r.lowerBound - 1e-12 && $0 <= r.upperBound + 1e-12 }
      return t
    }
    return (scale(xRange, xs), scale(yRange, yExtent))
  }
}
