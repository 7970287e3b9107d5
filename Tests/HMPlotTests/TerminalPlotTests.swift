import Foundation
import Testing
@testable import HMPlot

/// Golden snapshots of every terminal figure kind, in Unicode and ASCII, at a fixed size.
@Suite struct TerminalPlotTests {
  static let names = ["line", "band", "scatter", "histogram", "bar", "heatmap"]

  static func figure(_ name: String) throws -> Figure {
    guard let f = try Fixtures.all().first(where: { $0.0 == name })?.1 else {
      throw PlotError.invalidArgument(operation: "test", detail: "no fixture \(name)")
    }
    return f
  }

  @Test(arguments: names)
  func unicodeGolden(_ name: String) throws {
    let text = try Self.figure(name).renderTerminal(width: 60, height: 16, style: .unicodeMonochrome)
    Golden.check(text, named: "\(name)-unicode.txt")
  }

  @Test(arguments: names)
  func asciiGolden(_ name: String) throws {
    let text = try Self.figure(name).renderTerminal(width: 60, height: 16, style: .plain)
    Golden.check(text, named: "\(name)-ascii.txt")
    #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII style must emit only ASCII")
  }

  @Test(arguments: ["line", "heatmap"])
  func colourGolden(_ name: String) throws {
    let style = TerminalStyle(unicode: true, colour: true, trueColour: false)
    let text = try Self.figure(name).renderTerminal(width: 50, height: 12, style: style)
    Golden.check(text, named: "\(name)-colour256.txt")
  }

  /// Without colour there is no escape code at all, in any style or kind.
  @Test(arguments: names)
  func noEscapesWithoutColour(_ name: String) throws {
    for style in [TerminalStyle.plain, .unicodeMonochrome] {
      let text = try Self.figure(name).renderTerminal(width: 70, height: 18, style: style)
      #expect(!text.contains("\u{1B}"))
    }
  }

  /// Colour only adds escapes: stripped, a coloured plot equals the monochrome one (several
  /// curves are the exception: without colour they carry markers).
  @Test(arguments: ["single line", "histogram", "bar"])
  func colourAddsOnlyEscapes(_ name: String) throws {
    let f = name == "single line" ? try Figure.line([Series("sin", y: (0..<30).map { sin(Double($0) / 4) })])
      : try Self.figure(name)
    let coloured = try f.renderTerminal(width: 60, height: 16, style: .full)
    let plain = try f.renderTerminal(width: 60, height: 16, style: .unicodeMonochrome)
    #expect(coloured.contains("\u{1B}["))
    #expect(Golden.strippingEscapes(coloured) == plain)
  }

  /// Every line fits the requested width; canvas figures fit the requested height.
  @Test(arguments: names)
  func fitsRequestedSize(_ name: String) throws {
    let f = try Self.figure(name)
    for (w, h) in [(40, 10), (60, 16), (100, 30)] {
      for style in [TerminalStyle.plain, .full] {
        let text = try f.renderTerminal(width: w, height: h, style: style)
        let lines = Golden.strippingEscapes(text).split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines { #expect(line.count <= w, "\(name) \(w)×\(h): \(line)") }
        if f.kind != .histogram && f.kind != .bar { #expect(lines.count <= h) }
      }
    }
  }

  /// The failure twin of the golden tests: a changed figure is reported.
  @Test func goldenMismatchIsReported() {
    withKnownIssue("a changed figure must fail its golden test") {
      Golden.check("not the figure", named: "line-unicode.txt", update: false)
    }
  }

  @Test func lineUsesBrailleAndLegend() throws {
    let text = try Fixtures.lineFigure().renderTerminal(width: 60, height: 16, style: .unicodeMonochrome)
    #expect(text.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF })
    #expect(text.contains("─o─ sin") && text.contains("─+─ cos"))
    #expect(text.contains("o") && text.contains("+"))
    let coloured = try Fixtures.lineFigure().renderTerminal(width: 60, height: 16, style: .full)
    #expect(Golden.strippingEscapes(coloured).contains("── sin"))
    #expect(!Golden.strippingEscapes(coloured).contains("─o─"))
    #expect(text.contains("Two curves"))
  }

  @Test func scatterMarkersDistinguishSeriesWithoutColour() throws {
    let text = try Fixtures.scatterFigure().renderTerminal(width: 60, height: 16, style: .unicodeMonochrome)
    #expect(text.contains("o task A") && text.contains("+ task B"))
    let coloured = try Fixtures.scatterFigure().renderTerminal(width: 60, height: 16, style: .full)
    #expect(Golden.strippingEscapes(coloured).contains("• task A"))
  }

  @Test func histogramCountsAddUp() throws {
    let values = Fixtures.histogramValues()
    let f = try Figure.histogram(values)
    #expect(f.bins?.counts.reduce(0, +) == values.count)
    let text = try f.renderTerminal(width: 60, height: 10, style: .unicodeMonochrome)
    #expect(text.contains("┤"))
    #expect(text.contains("█"))
  }

  @Test func histogramEdgesStayShort() throws {
    let f = try Figure.histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], binCount: 3)
    let text = try f.renderTerminal(width: 50, height: 8, style: .plain)
    #expect(text.contains("[0, 3.333)") && text.contains("[6.667, 10]"))
  }

  @Test func barChartUsesEighthBlocks() throws {
    let f = try Figure.bar(labels: ["a", "b"], values: [1, 0.5625])
    let text = try f.renderTerminal(width: 31, height: 5, style: .unicodeMonochrome)
    // bar area 31 - 2 (label) - 2 (frame) - 7 (value) = 20 cells: 0.5625 × 20 = 11.25 cells.
    #expect(text.contains("███████████▎ 0.5625"))
  }

  @Test func negativeBarsGrowLeftOfZero() throws {
    let f = try Figure.bar(labels: ["up", "down"], values: [2, -2])
    let text = try f.renderTerminal(width: 40, height: 5, style: .plain)
    let lines = text.split(separator: "\n").map(String.init)
    let up = try #require(lines.first { $0.contains("up ") })
    let down = try #require(lines.first { $0.contains("down ") })
    let upStart = try #require(up.firstIndex(of: "#")).utf16Offset(in: up)
    let downEnd = try #require(down.lastIndex(of: "#")).utf16Offset(in: down)
    #expect(downEnd < upStart)
  }
}
