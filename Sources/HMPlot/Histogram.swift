#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Histogram binning and the terminal histogram (horizontal bars labelled `[a, b)`).
enum Histogram {
  /// Bins of a nice width covering the finite `values`; see `Figure.histogram`.
  static func bin(_ values: [Double], binCount: Int?) throws -> HistogramBins {
    if let binCount, binCount < 1 || binCount > 10_000 {
      throw PlotError.invalidArgument(
        operation: "histogram", detail: "bin count must be in 1...10000, got \(binCount)")
    }
    let finite = values.filter(\.isFinite)
    guard let lo = finite.min(), let hi = finite.max() else {
      throw PlotError.emptyData(
        operation: "histogram",
        detail: values.isEmpty ? "no values" : "no finite values among \(values.count)")
    }
    let target = binCount ?? (Int(Glibc.log2(Double(finite.count)).rounded(.up)) + 1)
    let range = Ticks.nonDegenerate(lo...hi)
    var width = Ticks.niceNumber((range.upperBound - range.lowerBound) / Double(max(1, target)), round: true)
    if !(width.isFinite && width > 0) { width = 1 }
    var start = (range.lowerBound / width).rounded(.down) * width
    var count = max(1, Ticks.clampedIndex(((range.upperBound - start) / width).rounded(.up), 0...10_000))
    if let binCount, count != binCount {
      // No nice width gives the bins asked for: use the exact width instead.
      width = (range.upperBound - range.lowerBound) / Double(binCount)
      start = range.lowerBound
      count = binCount
    }
    count = min(count, 10_000)
    let edges = (0...count).map { start + Double($0) * width }
    var counts = Array(repeating: 0, count: count)
    for v in finite {
      let i = Ticks.clampedIndex((v - start) / width, 0...(count - 1))
      counts[i] += 1
    }
    return try HistogramBins(edges: edges, counts: counts)
  }

  static func renderTerminal(_ figure: Figure, width: Int, height: Int,
                             style: TerminalStyle) throws -> String {
    guard let bins = figure.bins else {
      throw PlotError.emptyData(operation: "histogram", detail: "no bins")
    }
    let step = bins.edges.count > 1 ? bins.edges[1] - bins.edges[0] : 1
    // Edges at the bin width's precision, unless an exact (not nice) width makes that long.
    func edge(_ v: Double) -> String {
      let precise = Ticks.format(v, step: step)
      let decimals = precise.split(separator: ".").dropFirst().first?.count ?? 0
      return decimals > 3 && !precise.contains("e") ? Ticks.compact(v) : precise
    }
    let labels = bins.counts.indices.map { i -> String in
      let close = i == bins.counts.count - 1 ? "]" : ")"
      return "[\(edge(bins.edges[i])), \(edge(bins.edges[i + 1]))\(close)"
    }
    return try BarChart.renderBars(labels: labels, values: bins.counts.map(Double.init),
                                   valueLabels: bins.counts.map(String.init),
                                   figure: figure, width: width, style: style)
  }
}
