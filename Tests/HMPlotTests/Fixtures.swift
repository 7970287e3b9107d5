import Foundation
import Testing
@testable import HMPlot

/// Deterministic figures shared by the golden, SVG and robustness tests.
enum Fixtures {
  static func lineFigure() throws -> Figure {
    let xs = (0...60).map { Double($0) / 60 * 2 * Double.pi }
    return try Figure.line([
      Series("sin", x: xs, y: xs.map { sin($0) }),
      Series("cos", x: xs, y: xs.map { cos($0) }),
    ], title: "Two curves", xLabel: "t", yLabel: "y")
  }

  static func bandFigure() throws -> Figure {
    let mean = (0..<40).map { -90 + 80 * (1 - exp(-Double($0) / 10)) }
    let half = (0..<40).map { 12 * exp(-Double($0) / 20) + 2 }
    return try Figure.line([
      Series("MAML", y: mean, lower: zip(mean, half).map { $0 - $1 }, upper: zip(mean, half).map { $0 + $1 }),
      Series("pretrained", y: mean.map { $0 * 1.1 - 5 }),
    ], title: "Return after adaptation", xLabel: "iteration", yLabel: "return")
  }

  /// Two point clouds from a fixed linear congruential sequence.
  static func scatterFigure() throws -> Figure {
    var state: UInt64 = 12345
    func next() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53)
    }
    let a = (0..<40).map { _ in (next(), next()) }
    let b = (0..<40).map { _ in (next() + 0.8, next() * 0.5 + 0.7) }
    return try Figure.scatter([
      Series("task A", x: a.map(\.0), y: a.map(\.1)),
      Series("task B", x: b.map(\.0), y: b.map(\.1)),
    ], title: "Embeddings", xLabel: "e1", yLabel: "e2")
  }

  static func histogramValues() -> [Double] {
    // A deterministic bell shape: sums of three uniform-ish sequences.
    (0..<500).map { i in
      let u = [0.618034, 0.414214, 0.732051].map { (Double(i) * $0).truncatingRemainder(dividingBy: 1) }
      return u.reduce(0, +) * 2 - 3
    }
  }

  static func histogramFigure() throws -> Figure {
    try Figure.histogram(histogramValues(), title: "Returns", xLabel: "return", yLabel: "count")
  }

  static func barFigure() throws -> Figure {
    try Figure.bar(labels: ["no buffer", "unfiltered", "Siamese", "oracle"],
                   values: [12.5, 30.25, 61, 64.5], title: "Success rate", yLabel: "%")
  }

  static func heatmapGrid() -> HeatmapGrid {
    HeatmapGrid((0..<8).map { r in (0..<12).map { c in Double(r * 12 + c) } })
  }

  static func heatmapFigure() throws -> Figure {
    try Figure.heatmap(heatmapGrid(), title: "Task similarity", xLabel: "task j", yLabel: "task i")
  }

  static func all() throws -> [(String, Figure)] {
    [("line", try lineFigure()), ("band", try bandFigure()), ("scatter", try scatterFigure()),
     ("histogram", try histogramFigure()), ("bar", try barFigure()), ("heatmap", try heatmapFigure())]
  }
}
