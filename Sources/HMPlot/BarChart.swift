/// Terminal bar charts: one horizontal bar per row, drawn with eighth-block glyphs
/// (`▏▎▍▌▋▊▉█`, ASCII `#`) after its label, followed by its value. UnicodePlots.jl's
/// `barplot` is the model. Negative values grow left from a zero column (whole cells only).
enum BarChart {
  static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

  static func renderTerminal(_ figure: Figure, width: Int, height: Int,
                             style: TerminalStyle) throws -> String {
    try renderBars(labels: figure.bars.map(\.label), values: figure.bars.map(\.value),
                   valueLabels: figure.bars.map { Ticks.compact($0.value) },
                   figure: figure, width: width, style: style)
  }

  /// Horizontal bars for `labels`/`values`; the height grows with the number of bars (one row
  /// each) whatever height was asked.
  static func renderBars(labels rawLabels: [String], values: [Double], valueLabels: [String],
                         figure: Figure, width: Int, style: TerminalStyle) throws -> String {
    let labels = rawLabels.map { TerminalFrame.truncated($0, 24, unicode: style.unicode) }
    let topLeft = TerminalFrame.truncated(figure.xLabel, 24, unicode: style.unicode)
    let margin = TerminalFrame.leftMarginWidth(labels: labels, yLabel: "", topLeft: topLeft)
    let valueWidth = (valueLabels.map(\.count).max() ?? 0) + 1
    let barWidth = width - margin - 2 - valueWidth  // frame ┤ and closing corner
    guard barWidth >= 5 else {
      throw PlotError.tooSmall(operation: figure.kind.rawValue, width: width, height: labels.count + 3,
                               minimumWidth: width - barWidth + 5, minimumHeight: labels.count + 3)
    }
    let finite = values.filter(\.isFinite)
    let maxValue = max(0, finite.max() ?? 0), minValue = min(0, finite.min() ?? 0)
    let span = maxValue - minValue
    // Cells left of the zero column hold negative bars.
    let zero = span > 0 ? Ticks.clampedIndex((Double(barWidth) * -minValue / span).rounded(), 0...barWidth) : 0
    let full: Character = style.unicode ? "█" : "#"

    var body: [String] = []
    for (v, text) in zip(values, valueLabels) {
      var row = String(repeating: " ", count: zero)
      var visible = zero
      if v.isFinite && span > 0 {
        if v < 0 {
          let cells = Ticks.clampedIndex((Double(barWidth) * -v / span).rounded(), 0...zero)
          row = String(repeating: " ", count: zero - cells) + String(repeating: full, count: cells)
        } else {
          let eighthsCount = Ticks.clampedIndex((Double(barWidth) * v / span * 8).rounded(), 0...(8 * barWidth))
          var bar = String(repeating: full, count: eighthsCount / 8)
          let rest = eighthsCount % 8
          if rest > 0 { bar += style.unicode ? String(eighths[rest - 1]) : (rest >= 4 ? "#" : "") }
          row += bar
          visible += bar.count
        }
      }
      let painted = style.colour && row.contains(where: { $0 != " " })
        ? ANSIEscape.paint(row, code: Palette.ansiSeriesCode(0), style: style) : row
      body.append(painted + " " + text + String(repeating: " ", count: max(0, barWidth - visible)))
    }
    var frame = TerminalFrame(style: style)
    frame.border = .open
    frame.title = figure.title
    frame.body = body
    frame.bodyWidth = barWidth + valueWidth
    frame.leftLabels = labels
    frame.topLeft = topLeft
    frame.xLabel = figure.yLabel
    return frame.render()
  }
}
