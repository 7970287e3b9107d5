/// Terminal line plots: each series is a polyline of Bresenham segments on a Braille canvas,
/// broken at non-finite points; a band (`lower`/`upper`) is drawn as two dotted curves in the
/// series colour. UnicodePlots.jl's `lineplot` is the model.
///
/// Without colour, several curves would look alike: each then carries its scatter marker
/// (`o + x * # @`) at four points along it, and the legend shows the marker (`-o-`).
enum LinePlot {
  static func renderTerminal(_ figure: Figure, width: Int, height: Int,
                             style: TerminalStyle) throws -> String {
    let markers = !style.colour && figure.series.count > 1
    let line = style.unicode ? "─" : "-"
    return try CanvasPlot.render(figure, width: width, height: height, style: style,
                                 swatch: { i in markers ? line + String(ScatterPlot.marker(i)) + line : line + line }) { canvas in
      for (i, s) in figure.series.enumerated() {
        if let lower = s.lower { polyline(&canvas, s.x, lower, colour: i, dotted: true) }
        if let upper = s.upper { polyline(&canvas, s.x, upper, colour: i, dotted: true) }
      }
      for (i, s) in figure.series.enumerated() { polyline(&canvas, s.x, s.y, colour: i, dotted: false) }
      if markers {
        for (i, s) in figure.series.enumerated() {
          let finite = s.x.indices.filter { $0 < s.y.count && s.x[$0].isFinite && s.y[$0].isFinite }
          guard !finite.isEmpty else { continue }
          // Staggered per series so markers of crossing curves rarely share a cell.
          let shift = Double(i) / Double(figure.series.count)
          for k in 0..<4 {
            let position = (Double(k) + 0.25 + 0.5 * shift) / 4 * Double(finite.count)
            let j = finite[Ticks.clampedIndex(position, 0...(finite.count - 1))]
            canvas.mark(s.x[j], s.y[j], marker: ScatterPlot.marker(i), colour: i)
          }
        }
      }
    }
  }

  /// Segments between consecutive finite points; an isolated finite point becomes a dot.
  static func polyline(_ canvas: inout BrailleCanvas, _ xs: [Double], _ ys: [Double],
                       colour: Int, dotted: Bool) {
    let n = min(xs.count, ys.count)
    func finite(_ j: Int) -> Bool { j >= 0 && j < n && xs[j].isFinite && ys[j].isFinite }
    for j in 0..<n where finite(j) {
      if finite(j + 1) {
        canvas.line(from: (xs[j], ys[j]), to: (xs[j + 1], ys[j + 1]), colour: colour, dotted: dotted)
      } else if !finite(j - 1) {
        canvas.point(xs[j], ys[j], colour: colour)
      }
    }
  }
}
