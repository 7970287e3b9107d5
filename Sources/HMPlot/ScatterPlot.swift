/// Terminal scatter plots: one Braille dot per point in the series colour. When colour cannot
/// tell series apart (ASCII, or several series without colour) each series gets a marker
/// character instead (`o + x * # @`), shown in the legend.
enum ScatterPlot {
  static let markers: [Character] = ["o", "+", "x", "*", "#", "@"]

  /// The marker of series `index` (cycles).
  static func marker(_ index: Int) -> Character { markers[index % markers.count] }

  static func renderTerminal(_ figure: Figure, width: Int, height: Int,
                             style: TerminalStyle) throws -> String {
    let useMarkers = !style.unicode || (!style.colour && figure.series.count > 1)
    return try CanvasPlot.render(figure, width: width, height: height, style: style,
                                 swatch: { i in useMarkers ? String(marker(i)) : "•" }) { canvas in
      for (i, s) in figure.series.enumerated() {
        for (x, y) in zip(s.x, s.y) {
          if useMarkers { canvas.mark(x, y, marker: marker(i), colour: i) }
          else { canvas.point(x, y, colour: i) }
        }
      }
    }
  }
}
