/// Terminal scatter plots: one Braille dot per point in the series colour. When colour cannot
/// tell series apart (ASCII, or several series without colour) each series gets a marker
/// character instead (`o + x * # @`), shown in the legend.
enum ScatterPlot {
  static let markers: [Character] = ["o", "+", "x", "*", "#", "@"]

  static func renderTerminal(_ figure: Figure, width: Int, height: Int,
                             style: TerminalStyle) throws -> String {
    let useMarkers = !style.unicode || (!style.colour && figure.series.count > 1)
    return try CanvasPlot.render(figure, width: width, height: height, style: style,
                                 swatch: { i in useMarkers ? String(markers[i % markers.count]) : "•" }) { canvas in
      for (i, s) in figure.series.enumerated() {
        for (x, y) in zip(s.x, s.y) {
          if useMarkers { canvas.mark(x, y, marker: markers[i % markers.count], colour: i) }
          else { canvas.point(x, y, colour: i) }
        }
      }
    }
  }
}
