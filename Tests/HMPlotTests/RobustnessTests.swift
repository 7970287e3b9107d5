import Foundation
import Testing
@testable import HMPlot

/// NaN, ±∞, empty, constant and malformed inputs: clear errors or sensible plots, never a trap.
@Suite struct RobustnessTests {
  static let styles: [TerminalStyle] = [.plain, .unicodeMonochrome, .full,
                                        TerminalStyle(unicode: false, colour: true, trueColour: false)]

  func renderEverywhere(_ f: Figure) throws {
    for style in Self.styles {
      _ = try f.renderTerminal(width: 50, height: 12, style: style)
    }
    let svg = try f.renderSVG(width: 320, height: 240)
    #expect(SVGTests.parses(svg))
  }

  @Test func nonFiniteValuesAreSkipped() throws {
    let y: [Double] = [1, .nan, 3, .infinity, 2, -.infinity, 4, 5]
    let f = try Figure.line([Series("a", y: y, lower: y.map { $0 - 1 }, upper: y.map { $0 + 1 })])
    try renderEverywhere(f)
    var s = f; s.kind = .scatter
    try renderEverywhere(s)
    let scales = f.dataRanges(targetTicks: 10)
    #expect(scales.y.lower <= 0 && scales.y.upper >= 6 && scales.y.upper < 100)
  }

  @Test func emptyAndAllNaNSeriesGiveEmptyAxes() throws {
    for series in [[], [Series("e", y: [])], [Series("n", y: [.nan, .nan])]] {
      let f = try Figure.line(series)
      try renderEverywhere(f)
      let text = try f.renderTerminal(width: 40, height: 8, style: .plain)
      #expect(text.contains("+---"))
    }
  }

  @Test func constantDataGetsANonDegenerateRange() throws {
    let f = try Figure.line([Series("c", y: [3, 3, 3])])
    let r = f.dataRanges(targetTicks: 10)
    #expect(r.y.lower < 3 && r.y.upper > 3)
    try renderEverywhere(f)
    let zero = try Figure.scatter([Series(x: [0, 0], y: [0, 0])])
    #expect(zero.dataRanges(targetTicks: 5).x.upper > 0)
    try renderEverywhere(zero)
    try renderEverywhere(try Figure.histogram([7, 7, 7]))
    try renderEverywhere(try Figure.heatmap(HeatmapGrid([[1, 1], [1, 1]])))
    try renderEverywhere(try Figure.bar(labels: ["z"], values: [0]))
  }

  @Test func extremeMagnitudesStayFinite() throws {
    let f = try Figure.line([Series(x: [0, 1, 2], y: [-1e300, 0, 1e300])])
    try renderEverywhere(f)
    let g = try Figure.line([Series(x: [0, 1], y: [1e-300, 2e-300])])
    try renderEverywhere(g)
    var fixed = try Figure.line([Series(y: [1, 100, 1e9])])
    fixed.yRange = 0...10
    try renderEverywhere(fixed)
  }

  @Test func extremeHistogramsAndHeatmapsDoNotTrap() throws {
    let huge = Double.greatestFiniteMagnitude
    let h = try Figure.histogram([-huge, huge, 0, 1])
    #expect(h.bins?.counts.reduce(0, +) == 4)
    try renderEverywhere(h)
    try renderEverywhere(try Figure.heatmap(HeatmapGrid([[-huge, huge], [0, 1e-300]])))
    try renderEverywhere(try Figure.bar(labels: ["a", "b"], values: [-huge, huge]))
    try renderEverywhere(try Figure.scatter([Series(x: [-huge, huge, 0], y: [huge, -huge, 0])]))
    let subnormal = Double.leastNonzeroMagnitude  // subnormal spans must not trap
    try renderEverywhere(try Figure.histogram([subnormal, 2 * subnormal]))
  }

  @Test func nanHeatmapCellsAndBarsAreBlank() throws {
    let grid = HeatmapGrid([[1, .nan, 3], [.infinity, 5, 6], [.nan, .nan, .nan]])
    try renderEverywhere(try Figure.heatmap(grid))
    try renderEverywhere(try Figure.heatmap(HeatmapGrid([[.nan]])))
    try renderEverywhere(try Figure.bar(labels: ["a", "b"], values: [.nan, 2]))
  }

  @Test func lengthMismatchesThrow() {
    #expect(throws: PlotError.self) { try Figure.line([Series(x: [1, 2], y: [1])]) }
    #expect(throws: PlotError.self) { try Figure.line([Series(y: [1, 2], lower: [0])]) }
    #expect(throws: PlotError.self) { try Figure.bar(labels: ["a"], values: [1, 2]) }
    #expect(throws: PlotError.self) { try HistogramBins(edges: [0, 1], counts: [1, 2]) }
    do {
      _ = try Figure.line([Series("loss", x: [1, 2], y: [1])])
      Issue.record("expected an error")
    } catch let e as PlotError {
      #expect(e.description == "line: series 'loss' has 2 x values but 1 y values")
    } catch { Issue.record("unexpected \(error)") }
  }

  @Test func emptyHistogramsBarsAndHeatmapsThrow() {
    #expect(throws: PlotError.emptyData(operation: "histogram", detail: "no values")) { try Figure.histogram([]) }
    #expect(throws: PlotError.self) { try Figure.histogram([.nan, .infinity]) }
    #expect(throws: PlotError.self) { try Figure.histogram([1, 2], binCount: 0) }
    #expect(throws: PlotError.self) { try Figure.bar(labels: [], values: []) }
    #expect(throws: PlotError.self) { try Figure.heatmap(HeatmapGrid([])) }
    #expect(throws: PlotError.self) { try Figure.heatmap(HeatmapGrid([[]])) }
  }

  @Test func mutatedFiguresAreRevalidated() throws {
    var h = try Figure.histogram([1, 2, 3])
    h.bins?.edges.removeLast()
    #expect(throws: PlotError.self) { try h.renderTerminal(width: 40, height: 10, style: .plain) }
    #expect(throws: PlotError.self) { try h.renderSVG() }
    var g = try Figure.heatmap(HeatmapGrid([[1, 2]]))
    g.grid?.values.append([3])
    #expect(throws: PlotError.self) { try g.renderSVG() }
    var l = try Figure.line([Series(y: [1, 2])])
    l.series[0].x = [1]
    #expect(throws: PlotError.self) { try l.renderTerminal(width: 40, height: 10, style: .plain) }
    var k = try Figure.line([])
    k.kind = .heatmap
    #expect(throws: PlotError.self) { try k.renderSVG() }
  }

  @Test func raggedHeatmapThrowsWithRow() {
    #expect(throws: PlotError.raggedMatrix(operation: "heatmap", row: 1, expected: 2, got: 1)) {
      try Figure.heatmap(HeatmapGrid([[1, 2], [3]]))
    }
    #expect(throws: PlotError.self) { try Figure.heatmap(HeatmapGrid([[1, 2]], rowLabels: ["a", "b"])) }
  }

  @Test func tooSmallAndInvalidSizesThrow() throws {
    let f = try Fixtures.lineFigure()
    #expect(throws: PlotError.self) { try f.renderTerminal(width: 10, height: 3, style: .plain) }
    #expect(throws: PlotError.self) { try f.renderTerminal(width: -5, height: -5, style: .plain) }
    #expect(throws: PlotError.self) { try f.renderSVG(width: 10, height: 10) }
    #expect(throws: PlotError.self) { try f.renderSVG(width: .nan, height: 300) }
    #expect(throws: PlotError.self) { try Fixtures.heatmapFigure().renderTerminal(width: 8, height: 3, style: .full) }
    var bad = f; bad.xRange = 0...Double.infinity
    #expect(throws: PlotError.self) { try bad.renderTerminal(width: 60, height: 16, style: .plain) }
  }

  @Test func largeHeatmapsAreDownsampled() throws {
    let grid = HeatmapGrid((0..<300).map { r in (0..<500).map { c in Double(r + c) } })
    let f = try Figure.heatmap(grid)
    let text = try f.renderTerminal(width: 60, height: 20, style: .full)
    for line in Golden.strippingEscapes(text).split(separator: "\n") { #expect(line.count <= 60) }
  }

  @Test func controlCharactersInLabelsAreSafe() throws {
    var f = try Fixtures.lineFigure()
    f.title = "a\u{0}b <&> \"q\" 'x'"
    f.series[0].name = "\u{7}bell"
    try renderEverywhere(f)
  }
}

@Test func userTextCannotInjectEscapes() throws {
  var f = try Figure.line([Series("\u{1B}[31mred", y: [1, 2])], title: "\u{1B}[2J", xLabel: "x\u{1B}", yLabel: "\u{1B}y")
  f.series[0].name = "\u{1B}[31mred"
  for style in [TerminalStyle.plain, .unicodeMonochrome] {
    #expect(!(try f.renderTerminal(width: 50, height: 10, style: style)).contains("\u{1B}"))
  }
  let bars = try Figure.bar(labels: ["\u{1B}[1m"], values: [1])
  #expect(!(try bars.renderTerminal(width: 40, height: 5, style: .plain)).contains("\u{1B}"))
  let heat = try Figure.heatmap(HeatmapGrid([[1]], rowLabels: ["\u{1B}a"], columnLabels: ["\u{1B}b"]))
  #expect(!(try heat.renderTerminal(width: 40, height: 8, style: .plain)).contains("\u{1B}"))
}
