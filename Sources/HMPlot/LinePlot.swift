/// Terminal line plots: each series is a polyline of Bresenham segments on a Braille canvas,
/// broken at non-finite points; a band (`lower`/`upper`) is drawn as two dotted curves in the
/// series colour. UnicodePlots.jl's `lineplot` is the model.
enum LinePlot {
  static func renderTerminal(_ figure: Figure, width: Int, height: Int,
                             style: TerminalStyle) throws -> String {
    try CanvasPlot.render(figure, width: width, height: height, style: style,
                          swatch: { _ in style.unicode ? "──" : "--" }) { canvas in
      for (i, s) in figure.series.enumerated() {
        if let lower = s.lower { polyline(&canvas, s.x, lower, colour: i, dotted: true) }
        if let upper = s.upper { polyline(&canvas, s.x, upper, colour: i, dotted: true) }
      }
      for (i, s) in figure.series.enumerated() { polyline(&canvas, s.x, s.y, colour: i, dotted: false) }
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
