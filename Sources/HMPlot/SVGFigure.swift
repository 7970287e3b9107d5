#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Figure {
  /// The figure as a standalone SVG document (UTF-8 XML) for a paper draft: white background,
  /// framed axes with nice ticks and light grid lines, title, axis labels, a legend of named
  /// series to the right, shaded bands for `lower`/`upper`, Okabe–Ito series colours, and for
  /// heatmaps square viridis cells with a colour bar.
  ///
  /// - Parameters: width, height: size in CSS pixels (at least 160 × 120).
  /// - Throws: `PlotError` when the figure is invalid or the size too small.
  public func renderSVG(width: Double = 640, height: Double = 400) throws -> String {
    try validate()
    guard width.isFinite, height.isFinite, width >= 160, height >= 120, width <= 20_000, height <= 20_000 else {
      throw PlotError.invalidArgument(
        operation: kind.rawValue, detail: "SVG size must be within 160×120 … 20000×20000, got \(width)×\(height)")
    }
    return try SVGFigure(figure: self, width: width, height: height).render()
  }
}

/// Lays out and draws one `Figure` as SVG. The plot area is the rectangle inside the margins;
/// data are clipped to it.
struct SVGFigure {
  static let tickFont = 11.0, labelFont = 12.0, titleFont = 15.0
  static let axisColour = "#333333", gridColour = "#e5e5e5", textColour = "#222222"
  static let clipID = "hmplot-plot-area"

  /// Pixel rectangle of the plot area.
  struct Area { var x: Double; var y: Double; var width: Double; var height: Double
    var right: Double { x + width }; var bottom: Double { y + height } }

  /// A tick: its pixel position along the axis and its label.
  typealias Tick = (position: Double, label: String)

  /// A legend line: name, colour, and whether it shows a line, a band behind it, or a dot.
  struct LegendEntry { var name: String; var colour: RGB; var line: Bool; var band: Bool }

  let figure: Figure
  let width: Double
  let height: Double
  var doc: SVGDocument

  init(figure: Figure, width: Double, height: Double) {
    self.figure = figure; self.width = width; self.height = height
    doc = SVGDocument(width: width, height: height)
  }

  static func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * 0.6 }
  static func n(_ v: Double) -> String { SVGDocument.number(v) }

  func render() throws -> String {
    var me = self
    me.doc.add("rect", ["x": "0", "y": "0", "width": Self.n(width), "height": Self.n(height), "fill": "#ffffff"])
    switch figure.kind {
    case .line, .scatter: try me.drawXY()
    case .histogram: try me.drawHistogram()
    case .bar: try me.drawBars()
    case .heatmap: try me.drawHeatmap()
    }
    return me.doc.render()
  }

  /// The plot area left by margins for tick labels, axis labels, title and a right-hand block
  /// (legend or colour bar) of `rightWidth`.
  /// `minimumLeft` keeps room for the overhang of a rotated first category label.
  func area(yTickLabels: [String], rightWidth: Double, xLabelDepth: Double = 0,
            minimumLeft: Double = 0) throws -> Area {
    let tickWidth = yTickLabels.map { Self.textWidth($0, size: Self.tickFont) }.max() ?? 0
    let left = max(minimumLeft, 10 + (figure.yLabel.isEmpty ? 0 : 20) + tickWidth + 8)
    let top = figure.title.isEmpty ? 14.0 : 36.0
    let bottom = 8 + 20 + xLabelDepth + (figure.xLabel.isEmpty ? 0 : 20)
    let right = rightWidth > 0 ? rightWidth + 16 : 18
    let a = Area(x: left, y: top, width: width - left - right, height: height - top - bottom)
    guard a.width >= 40, a.height >= 40 else {
      throw PlotError.tooSmall(operation: figure.kind.rawValue, width: Int(width), height: Int(height),
                               minimumWidth: Int(width - a.width + 40), minimumHeight: Int(height - a.height + 40))
    }
    return a
  }

  /// Declares the clip path of the plot area and draws grid lines (when `grid`), behind the data.
  mutating func drawAxes(_ a: Area, xTicks: [Tick], yTicks: [Tick], grid: (x: Bool, y: Bool)) {
    doc.define("<clipPath id=\"\(Self.clipID)\"><rect x=\"\(Self.n(a.x))\" y=\"\(Self.n(a.y))\" "
               + "width=\"\(Self.n(a.width))\" height=\"\(Self.n(a.height))\"/></clipPath>")
    doc.beginGroup(["stroke": Self.gridColour, "stroke-width": "1"])
    if grid.x { for t in xTicks { doc.add("line", ["x1": Self.n(t.position), "x2": Self.n(t.position), "y1": Self.n(a.y), "y2": Self.n(a.bottom)]) } }
    if grid.y { for t in yTicks { doc.add("line", ["x1": Self.n(a.x), "x2": Self.n(a.right), "y1": Self.n(t.position), "y2": Self.n(t.position)]) } }
    doc.endGroup()
  }

  /// The frame, ticks and text, drawn after the data so they stay on top.
  mutating func drawFrameAndText(_ a: Area, xTicks: [Tick], yTicks: [Tick], rotateXLabels: Bool = false,
                                 xLabelDepth: Double = 0) {
    doc.add("rect", ["x": Self.n(a.x), "y": Self.n(a.y), "width": Self.n(a.width), "height": Self.n(a.height),
                     "fill": "none", "stroke": Self.axisColour, "stroke-width": "1"])
    doc.beginGroup(["stroke": Self.axisColour, "stroke-width": "1"])
    for t in xTicks { doc.add("line", ["x1": Self.n(t.position), "x2": Self.n(t.position), "y1": Self.n(a.bottom), "y2": Self.n(a.bottom + 5)]) }
    for t in yTicks { doc.add("line", ["x1": Self.n(a.x - 5), "x2": Self.n(a.x), "y1": Self.n(t.position), "y2": Self.n(t.position)]) }
    doc.endGroup()
    doc.beginGroup(["fill": Self.textColour, "font-size": Self.n(Self.tickFont)])
    for t in xTicks {
      if rotateXLabels {
        let y = a.bottom + 14
        doc.add("text", ["x": Self.n(t.position), "y": Self.n(y), "text-anchor": "end",
                         "transform": "rotate(-35 \(Self.n(t.position)) \(Self.n(y)))"], text: t.label)
      } else {
        doc.add("text", ["x": Self.n(t.position), "y": Self.n(a.bottom + 18), "text-anchor": "middle"], text: t.label)
      }
    }
    for t in yTicks {
      doc.add("text", ["x": Self.n(a.x - 8), "y": Self.n(t.position + 4), "text-anchor": "end"], text: t.label)
    }
    doc.endGroup()
    if !figure.title.isEmpty {
      // Centred over the plot area, but kept inside the canvas: a long title is shifted, then
      // shrunk, rather than cut off at the edges.
      let size = min(Self.titleFont, Self.titleFont * (width - 16) / max(1, Self.textWidth(figure.title, size: Self.titleFont)))
      let half = Self.textWidth(figure.title, size: size) / 2
      let x = min(max(a.x + a.width / 2, half + 8), width - half - 8)
      doc.add("text", ["x": Self.n(x), "y": "22", "text-anchor": "middle", "font-size": Self.n(size),
                       "font-weight": "bold", "fill": Self.textColour], text: figure.title)
    }
    if !figure.xLabel.isEmpty {
      doc.add("text", ["x": Self.n(a.x + a.width / 2), "y": Self.n(a.bottom + 38 + xLabelDepth), "text-anchor": "middle",
                       "font-size": Self.n(Self.labelFont), "fill": Self.textColour], text: figure.xLabel)
    }
    if !figure.yLabel.isEmpty {
      let x = 18.0, y = a.y + a.height / 2
      doc.add("text", ["x": Self.n(x), "y": Self.n(y), "text-anchor": "middle", "font-size": Self.n(Self.labelFont),
                       "fill": Self.textColour, "transform": "rotate(-90 \(Self.n(x)) \(Self.n(y)))"], text: figure.yLabel)
    }
  }

  /// Width of the legend block for `entries` (0 when empty).
  static func legendWidth(_ entries: [LegendEntry]) -> Double {
    guard let longest = entries.map({ textWidth($0.name, size: labelFont) }).max() else { return 0 }
    return 34 + longest
  }

  mutating func drawLegend(_ entries: [LegendEntry], at x: Double, top: Double) {
    guard !entries.isEmpty else { return }
    doc.beginGroup(["font-size": Self.n(Self.labelFont), "fill": Self.textColour])
    for (i, e) in entries.enumerated() {
      let y = top + 8 + Double(i) * 20
      if e.band {
        doc.add("rect", ["x": Self.n(x), "y": Self.n(y - 6), "width": "24", "height": "12", "fill": e.colour.hex, "fill-opacity": "0.2"])
      }
      if e.line {
        doc.add("line", ["x1": Self.n(x), "x2": Self.n(x + 24), "y1": Self.n(y), "y2": Self.n(y), "stroke": e.colour.hex, "stroke-width": "2"])
      } else {
        doc.add("circle", ["cx": Self.n(x + 12), "cy": Self.n(y), "r": "3.5", "fill": e.colour.hex])
      }
      doc.add("text", ["x": Self.n(x + 30), "y": Self.n(y + 4)], text: e.name)
    }
    doc.endGroup()
  }

  /// Ticks of a numeric scale mapped to pixels by `map`.
  static func ticks(_ scale: TickScale, _ map: (Double) -> Double) -> [Tick] {
    scale.values.map { (map($0), scale.label($0)) }
  }

  // MARK: line and scatter

  mutating func drawXY() throws {
    let scales = figure.dataRanges(targetTicks: 6)
    let xs = scales.x, ys = scales.y
    let legend: [LegendEntry] = figure.showsLegend
      ? figure.series.enumerated().filter { !$0.element.name.isEmpty }.map {
          LegendEntry(name: $0.element.name, colour: Palette.seriesColour($0.offset), line: figure.kind == .line,
                      band: $0.element.lower != nil && $0.element.upper != nil)
        }
      : []
    let a = try area(yTickLabels: ys.values.map(ys.label), rightWidth: Self.legendWidth(legend))
    let sx = { (x: Double) in a.x + (x - xs.lower) / (xs.upper - xs.lower) * a.width }
    let sy = { (y: Double) in a.bottom - (y - ys.lower) / (ys.upper - ys.lower) * a.height }
    let xTicks = Self.ticks(xs, sx), yTicks = Self.ticks(ys, sy)
    drawAxes(a, xTicks: xTicks, yTicks: yTicks, grid: (true, true))
    doc.beginGroup(["clip-path": "url(#\(Self.clipID))"])
    for (i, s) in figure.series.enumerated() {
      let colour = Palette.seriesColour(i).hex
      if figure.kind == .scatter {
        doc.beginGroup(["fill": colour, "fill-opacity": "0.8"])
        for (x, y) in zip(s.x, s.y) where x.isFinite && y.isFinite {
          doc.add("circle", ["cx": Self.n(sx(x)), "cy": Self.n(sy(y)), "r": "3"])
        }
        doc.endGroup()
        continue
      }
      if let lower = s.lower, let upper = s.upper {
        for run in Self.finiteRuns(s.x, lower, upper) {
          let top = run.map { "\(Self.n(sx(s.x[$0]))),\(Self.n(sy(upper[$0])))" }
          let bottom = run.reversed().map { "\(Self.n(sx(s.x[$0]))),\(Self.n(sy(lower[$0])))" }
          doc.add("polygon", ["points": (top + bottom).joined(separator: " "), "fill": colour, "fill-opacity": "0.2", "stroke": "none"])
        }
      }
      var d = ""
      for run in Self.finiteRuns(s.x, s.y) {
        for (k, j) in run.enumerated() { d += (k == 0 ? "M" : "L") + "\(Self.n(sx(s.x[j]))),\(Self.n(sy(s.y[j]))) " }
        if run.count == 1, let j = run.first {
          doc.add("circle", ["cx": Self.n(sx(s.x[j])), "cy": Self.n(sy(s.y[j])), "r": "2", "fill": colour])
        }
      }
      if !d.isEmpty {
        doc.add("path", ["d": String(d.dropLast()), "fill": "none", "stroke": colour, "stroke-width": "1.8",
                         "stroke-linejoin": "round", "stroke-linecap": "round"])
      }
    }
    doc.endGroup()
    drawFrameAndText(a, xTicks: xTicks, yTicks: yTicks)
    drawLegend(legend, at: a.right + 14, top: a.y)
  }

  /// Maximal runs of consecutive indices where every array is finite.
  static func finiteRuns(_ arrays: [Double]...) -> [[Int]] {
    let n = arrays.map(\.count).min() ?? 0
    var runs: [[Int]] = [], current: [Int] = []
    for j in 0..<n {
      if arrays.allSatisfy({ $0[j].isFinite }) { current.append(j) }
      else if !current.isEmpty { runs.append(current); current = [] }
    }
    if !current.isEmpty { runs.append(current) }
    return runs
  }

  // MARK: histogram and bars

  mutating func drawHistogram() throws {
    guard let bins = figure.bins, let first = bins.edges.first, let last = bins.edges.last else {
      throw PlotError.emptyData(operation: "histogram", detail: "no bins")
    }
    let xs = figure.xRange.map { TickScale(covering: $0, targetCount: 6) } ?? TickScale(covering: first...last, targetCount: 6)
    var ys = TickScale(covering: 0...Double(max(1, bins.counts.max() ?? 1)), targetCount: 5)
    if let r = figure.yRange { ys = TickScale(covering: r, targetCount: 5) }
    let a = try area(yTickLabels: ys.values.map(ys.label), rightWidth: 0)
    let sx = { (x: Double) in a.x + (x - xs.lower) / (xs.upper - xs.lower) * a.width }
    let sy = { (y: Double) in a.bottom - (y - ys.lower) / (ys.upper - ys.lower) * a.height }
    let xTicks = Self.ticks(xs, sx), yTicks = Self.ticks(ys, sy)
    drawAxes(a, xTicks: xTicks, yTicks: yTicks, grid: (false, true))
    doc.beginGroup(["clip-path": "url(#\(Self.clipID))", "fill": Palette.seriesColour(0).hex,
                    "stroke": "#ffffff", "stroke-width": "0.8"])
    for (i, c) in bins.counts.enumerated() where c > 0 {
      let x0 = sx(bins.edges[i]), x1 = sx(bins.edges[i + 1]), y = sy(Double(c))
      doc.add("rect", ["x": Self.n(x0), "y": Self.n(y), "width": Self.n(max(0, x1 - x0)), "height": Self.n(max(0, sy(0) - y))])
    }
    doc.endGroup()
    drawFrameAndText(a, xTicks: xTicks, yTicks: yTicks)
  }

  mutating func drawBars() throws {
    let values = figure.bars.map(\.value)
    let extent = Ticks.finiteExtent([values + [0]]) ?? 0...1
    let ys = TickScale(covering: figure.yRange ?? extent, targetCount: 5)
    let labels = figure.bars.map { TerminalFrame.truncated($0.label, 24, unicode: true) }
    let longest = labels.map { Self.textWidth($0, size: Self.tickFont) }.max() ?? 0
    // Rotate category labels that would overlap their neighbours.
    let provisional = try area(yTickLabels: ys.values.map(ys.label), rightWidth: 0)
    let rotate = longest > provisional.width / Double(labels.count) - 4
    let depth = rotate ? min(longest * 0.6, 90) : 0
    // A label rotated by 35° reaches cos 35° ≈ 0.82 of its width left of its slot's centre.
    let overhang = rotate ? Self.textWidth(labels.first ?? "", size: Self.tickFont) * 0.82 + 6
      - provisional.width / Double(labels.count) / 2 : 0
    let a = try area(yTickLabels: ys.values.map(ys.label), rightWidth: 0, xLabelDepth: depth, minimumLeft: overhang)
    let sy = { (y: Double) in a.bottom - (y - ys.lower) / (ys.upper - ys.lower) * a.height }
    let slot = a.width / Double(labels.count)
    let xTicks: [Tick] = labels.enumerated().map { (a.x + slot * (Double($0.offset) + 0.5), $0.element) }
    let yTicks = Self.ticks(ys, sy)
    drawAxes(a, xTicks: xTicks, yTicks: yTicks, grid: (false, true))
    doc.beginGroup(["clip-path": "url(#\(Self.clipID))", "fill": Palette.seriesColour(0).hex])
    for (i, v) in values.enumerated() where v.isFinite {
      let y0 = sy(0), y1 = sy(v)
      doc.add("rect", ["x": Self.n(a.x + slot * (Double(i) + 0.15)), "y": Self.n(min(y0, y1)),
                       "width": Self.n(slot * 0.7), "height": Self.n(abs(y1 - y0))])
    }
    doc.endGroup()
    if ys.lower < 0 {
      doc.add("line", ["x1": Self.n(a.x), "x2": Self.n(a.right), "y1": Self.n(sy(0)), "y2": Self.n(sy(0)),
                       "stroke": Self.axisColour, "stroke-width": "1"])
    }
    drawFrameAndText(a, xTicks: xTicks, yTicks: yTicks, rotateXLabels: rotate, xLabelDepth: depth)
  }
}
