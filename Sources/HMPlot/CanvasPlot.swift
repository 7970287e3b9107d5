/// The terminal layout shared by line and scatter plots: a Braille canvas in a box frame with
/// min/max tick labels on both axes and a legend of named series to the right.
enum CanvasPlot {
  /// Longest series name shown in a legend.
  static let legendNameLimit = 20

  static func render(_ figure: Figure, width: Int, height: Int, style: TerminalStyle,
                     swatch: (Int) -> String,
                     draw: (inout BrailleCanvas) -> Void) throws -> String {
    let scales = figure.dataRanges(targetTicks: 10)
    let x = scales.x, y = scales.y
    let top = y.label(y.upper), bottom = y.label(y.lower)
    let yLabel = TerminalFrame.truncated(figure.yLabel, 15, unicode: style.unicode)

    let named = figure.series.enumerated().filter { !$0.element.name.isEmpty }
    let legend: [(index: Int, name: String)] = figure.showsLegend
      ? named.map { ($0.offset, TerminalFrame.truncated($0.element.name, legendNameLimit, unicode: style.unicode)) }
      : []
    // " " + swatch + " " + name
    let legendWidth = legend.isEmpty ? 0
      : (legend.map { swatch($0.index).count + 2 + $0.name.count }.max() ?? 0)

    let leftMargin = TerminalFrame.leftMarginWidth(labels: [top, bottom], yLabel: yLabel)
    let columns = width - leftMargin - 2 - legendWidth
    let rows = height - (figure.title.isEmpty ? 0 : 1) - 3 - (figure.xLabel.isEmpty ? 0 : 1)
    guard columns >= 8, rows >= 2 else {
      throw PlotError.tooSmall(operation: figure.kind.rawValue, width: width, height: height,
                               minimumWidth: width - columns + 8, minimumHeight: height - rows + 2)
    }

    var canvas = BrailleCanvas(columns: columns, rows: rows, xRange: x.range, yRange: y.range)
    draw(&canvas)

    var frame = TerminalFrame(style: style)
    frame.title = figure.title
    frame.body = canvas.renderRows(style: style)
    frame.bodyWidth = columns
    frame.leftLabels = (0..<rows).map { $0 == 0 ? top : $0 == rows - 1 ? bottom : "" }
    frame.yLabel = yLabel
    var right: [String] = []
    for (k, entry) in legend.enumerated() where k < rows {
      if k == rows - 1 && legend.count > rows { right.append(style.unicode ? "…" : "..."); break }
      right.append(ANSIEscape.paint(swatch(entry.index), code: Palette.ansiSeriesCode(entry.index), style: style)
                   + " " + entry.name)
    }
    frame.rightLabels = right
    frame.bottomLeft = x.label(x.lower)
    frame.bottomRight = x.label(x.upper)
    frame.xLabel = figure.xLabel
    return frame.render()
  }
}
