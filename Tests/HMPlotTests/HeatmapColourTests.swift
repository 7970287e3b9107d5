import Foundation
import Testing
@testable import HMPlot

/// Heatmap colours are monotone in the data: luminance (and the colour-map position) rises
/// with the value, in the colour map, the SVG cells and the terminal half-blocks.
@Suite struct HeatmapColourTests {
  @Test func viridisLuminanceIsMonotone() {
    let samples = (0...200).map { ColourMap.viridis.colour(at: Double($0) / 200).relativeLuminance }
    for (a, b) in zip(samples, samples.dropFirst()) { #expect(b >= a - 1e-9) }
    #expect(samples.last! > samples.first! + 0.7)
  }

  /// The failure twin: a reversed map is caught by the same check.
  @Test func reversedMapIsNotMonotoneIncreasing() {
    let reversed = ColourMap(stops: ColourMap.viridis.stops.reversed())
    let samples = (0...20).map { reversed.colour(at: Double($0) / 20).relativeLuminance }
    #expect(zip(samples, samples.dropFirst()).contains { $1 < $0 })
  }

  static func rgb(hex: String) -> RGB? {
    guard hex.hasPrefix("#"), hex.count == 7, let v = UInt32(hex.dropFirst(), radix: 16) else { return nil }
    return RGB(hex: v)
  }

  @Test func svgCellColoursFollowTheData() throws {
    let values: [Double] = [0.3, -2, 5, 1, 4, 2.5, .nan, 3]
    let f = try Figure.heatmap(HeatmapGrid([values]))
    let doc = try #require(SVGTests.parse(try f.renderSVG()))
    let cells = doc.elements.filter { $0.name == "rect" && $0.attributes["width"] != nil && $0.attributes["fill"]?.hasPrefix("#") == true }
      .filter { $0.attributes["fill"] != "#ffffff" && $0.attributes["fill"] != "#eeeeee" }
    let finite = values.filter(\.isFinite)
    #expect(cells.count == finite.count)
    let luminance = cells.compactMap { $0.attributes["fill"].flatMap(Self.rgb) }.map(\.relativeLuminance)
    let order = finite.indices.sorted { finite[$0] < finite[$1] }
    let sorted = order.map { luminance[$0] }
    for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(b > a) }
  }

  /// 24-bit foreground colours (`38;2;r;g;b`) in order of appearance.
  static func foregroundColours(_ text: String) -> [RGB] {
    var out: [RGB] = []
    var rest = Substring(text)
    while let r = rest.range(of: "\u{1B}[38;2;") {
      rest = rest[r.upperBound...]
      guard let end = rest.firstIndex(of: "m") else { break }
      let parts = rest[..<end].split(separator: ";").compactMap { UInt8($0) }
      if parts.count == 3 { out.append(RGB(parts[0], parts[1], parts[2])) }
      rest = rest[end...]
    }
    return out
  }

  @Test func terminalHalfBlocksFollowTheData() throws {
    // A column vector increasing downwards: each text row's lower half (foreground) is brighter
    // than the row above's.
    let f = try Figure.heatmap(HeatmapGrid((0..<10).map { [Double($0)] }))
    let text = try f.renderTerminal(width: 30, height: 9, style: .full)
    let bodyLines = text.split(separator: "\n").filter { $0.contains("▄") }
    let cellColours = bodyLines.compactMap { Self.foregroundColours(String($0)).first }
    #expect(cellColours.count >= 5)
    let luminance = cellColours.map(\.relativeLuminance)
    for (a, b) in zip(luminance, luminance.dropFirst()) { #expect(b > a) }
  }

  @Test func rampGlyphsFollowTheDataWithoutColour() throws {
    let f = try Figure.heatmap(HeatmapGrid([[0, 1, 2, 3, 4, 5, 6, 7, 8]]))
    let text = try f.renderTerminal(width: 40, height: 6, style: .plain)
    let row = try #require(text.split(separator: "\n").first { $0.contains("|") && $0.contains(".") })
    let body = row.split(separator: "|")[1]  // between the frame's borders
    let ramp = Heatmap.asciiRamp
    let levels = body.compactMap { ramp.firstIndex(of: $0) }
    #expect(levels.count == 18)
    #expect(row.hasSuffix("@@ 0..8"))
    for (a, b) in zip(levels, levels.dropFirst()) { #expect(b >= a) }
    #expect(levels.first == 0)
  }

  @Test func colourRangeCanBeFixed() throws {
    var grid = HeatmapGrid([[0.5]])
    grid.colourRange = 0...1
    #expect(grid.resolvedColourRange == 0...1)
    #expect(grid.colourMap.colour(for: 0.5, in: 0...1) == ColourMap.viridis.colour(at: 0.5))
    #expect(ColourMap.viridis.colour(at: -3) == ColourMap.viridis.stops[0])
    #expect(ColourMap.viridis.colour(at: .nan) == ColourMap.viridis.stops[0])
  }

  @Test func xterm256ApproximationIsSane() {
    #expect(RGB(0, 0, 0).xterm256Index == 16)
    #expect(RGB(255, 255, 255).xterm256Index == 231)
    #expect(RGB(255, 0, 0).xterm256Index == 196)
    #expect((232...255).contains(RGB(128, 128, 128).xterm256Index))
  }
}
