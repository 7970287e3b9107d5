/// Terminal heatmaps.
///
/// - Unicode with colour: `▄` half-blocks, two matrix rows per text row: the background is the
///   upper cell's colour, the foreground the lower one's (UnicodePlots.jl's `heatmap`).
/// - ASCII with colour: each cell is two spaces on a coloured background.
/// - No colour: each cell is two characters of a shade ramp (`·░▒▓█`, ASCII `.:-=+*#%@`).
///
/// The matrix is scaled by a whole factor to fill the area when small, averaged in blocks
/// (NaN-skipping) when large; cells stay roughly square. Row 0 is at the top. A colour bar with
/// the range's maximum (top) and minimum (bottom) is drawn to the right. NaN cells are blank.
enum Heatmap {
  static let unicodeRamp: [Character] = ["·", "░", "▒", "▓", "█"]
  static let asciiRamp: [Character] = [".", ":", "-", "=", "+", "*", "#", "%", "@"]

  static func renderTerminal(_ figure: Figure, width: Int, height: Int,
                             style: TerminalStyle) throws -> String {
    guard let grid = figure.grid else { throw PlotError.emptyData(operation: "heatmap", detail: "no matrix") }
    try grid.validate()
    let range = grid.resolvedColourRange
    let halfBlocks = style.unicode && style.colour
    let rowsCount = grid.rowCount, columnsCount = grid.columnCount

    let top = TerminalFrame.truncated(grid.rowLabel(0), 12, unicode: style.unicode)
    let bottom = TerminalFrame.truncated(grid.rowLabel(rowsCount - 1), 12, unicode: style.unicode)
    let yLabel = TerminalFrame.truncated(figure.yLabel, 15, unicode: style.unicode)
    let maxLabel = Ticks.compact(range.upperBound), minLabel = Ticks.compact(range.lowerBound)
    let barWidth = halfBlocks ? 1 : 2
    let rightWidth = 1 + barWidth + 1 + maxLabel.count + 2 + minLabel.count
    let margin = TerminalFrame.leftMarginWidth(labels: [top, bottom], yLabel: yLabel)
    let availableColumns = width - margin - 2 - rightWidth
    let availableRows = height - (figure.title.isEmpty ? 0 : 1) - 3 - (figure.xLabel.isEmpty ? 0 : 1)
    guard availableColumns >= 2, availableRows >= 1 else {
      throw PlotError.tooSmall(operation: "heatmap", width: width, height: height,
                               minimumWidth: width - availableColumns + 2,
                               minimumHeight: height - availableRows + 1)
    }
    // Pixels available: a half-block pixel is 1 char × ½ row, others 2 chars × 1 row.
    let pixelWidth = halfBlocks ? availableColumns : availableColumns / 2
    let pixelHeight = halfBlocks ? availableRows * 2 : availableRows
    guard pixelWidth >= 1 else {
      throw PlotError.tooSmall(operation: "heatmap", width: width, height: height,
                               minimumWidth: width + 2, minimumHeight: height)
    }
    let (outColumns, outRows) = outputSize(rows: rowsCount, columns: columnsCount,
                                           pixelWidth: pixelWidth, pixelHeight: pixelHeight)
    let pixels = resample(grid.values, rows: outRows, columns: outColumns)

    let map = grid.colourMap
    func t(_ v: Double) -> Double {
      (v - range.lowerBound) / (range.upperBound - range.lowerBound)
    }
    let ramp = style.unicode ? unicodeRamp : asciiRamp
    func rampGlyph(_ v: Double) -> Character {
      ramp[Ticks.clampedIndex(t(v) * Double(ramp.count), 0...(ramp.count - 1))]
    }
    /// One character cell: a glyph with optional foreground and background colours.
    func cell(upper: Double?, lower: Double?) -> PaintedCell {
      let u = upper.flatMap { $0.isFinite ? $0 : nil }, l = lower.flatMap { $0.isFinite ? $0 : nil }
      if halfBlocks {
        switch (u, l) {
        case let (u?, l?): return PaintedCell(glyph: "▄", foreground: map.colour(at: t(l)), background: map.colour(at: t(u)))
        case let (nil, l?): return PaintedCell(glyph: "▄", foreground: map.colour(at: t(l)), background: nil)
        case let (u?, nil): return PaintedCell(glyph: "▀", foreground: map.colour(at: t(u)), background: nil)
        case (nil, nil): return PaintedCell(glyph: " ", foreground: nil, background: nil)
        }
      }
      guard let u else { return PaintedCell(glyph: "  ", foreground: nil, background: nil) }
      if style.colour { return PaintedCell(glyph: "  ", foreground: nil, background: map.colour(at: t(u))) }
      let g = rampGlyph(u)
      return PaintedCell(glyph: String([g, g]), foreground: nil, background: nil)
    }

    var body: [String] = []
    let textRows = halfBlocks ? (outRows + 1) / 2 : outRows
    for r in 0..<textRows {
      var cells: [PaintedCell] = []
      for c in 0..<outColumns {
        if halfBlocks {
          let lowerRow = 2 * r + 1
          cells.append(cell(upper: pixels[2 * r][c], lower: lowerRow < outRows ? pixels[lowerRow][c] : nil))
        } else {
          cells.append(cell(upper: pixels[r][c], lower: nil))
        }
      }
      body.append(PaintedCell.render(cells, trueColour: style.trueColour))
    }

    // Colour bar: the maximum at the top row, the minimum at the bottom one.
    var right: [String] = []
    for r in 0..<textRows {
      let label = textRows == 1 ? minLabel + ".." + maxLabel : r == 0 ? maxLabel : r == textRows - 1 ? minLabel : ""
      let swatch: String
      if halfBlocks {
        let n = Double(max(1, 2 * textRows - 1))
        let upper = range.upperBound - (range.upperBound - range.lowerBound) * Double(2 * r) / n
        let lower = range.upperBound - (range.upperBound - range.lowerBound) * Double(2 * r + 1) / n
        swatch = PaintedCell.render([cell(upper: upper, lower: lower)], trueColour: style.trueColour)
      } else {
        let n = Double(max(1, textRows - 1))
        swatch = PaintedCell.render([cell(upper: range.upperBound - (range.upperBound - range.lowerBound) * Double(r) / n,
                                          lower: nil)], trueColour: style.trueColour)
      }
      right.append(swatch + (label.isEmpty ? "" : " " + label))
    }

    var frame = TerminalFrame(style: style)
    frame.title = figure.title
    frame.body = body
    frame.bodyWidth = halfBlocks ? outColumns : 2 * outColumns
    frame.leftLabels = (0..<textRows).map { $0 == 0 ? top : $0 == textRows - 1 ? bottom : "" }
    frame.yLabel = yLabel
    frame.rightLabels = right
    frame.bottomLeft = TerminalFrame.truncated(grid.columnLabel(0), 12, unicode: style.unicode)
    frame.bottomRight = columnsCount > 1
      ? TerminalFrame.truncated(grid.columnLabel(columnsCount - 1), 12, unicode: style.unicode) : ""
    frame.xLabel = figure.xLabel
    return frame.render()
  }

  /// Pixel grid size: a whole upscaling factor when the matrix fits, else an aspect-preserving
  /// downscale.
  static func outputSize(rows: Int, columns: Int, pixelWidth: Int, pixelHeight: Int) -> (Int, Int) {
    if columns <= pixelWidth && rows <= pixelHeight {
      let k = max(1, min(pixelWidth / columns, pixelHeight / rows))
      return (columns * k, rows * k)
    }
    let f = max(Double(columns) / Double(pixelWidth), Double(rows) / Double(pixelHeight))
    return (max(1, min(pixelWidth, Int((Double(columns) / f).rounded(.down)))),
            max(1, min(pixelHeight, Int((Double(rows) / f).rounded(.down)))))
  }

  /// `values` resampled to `rows × columns`: each output pixel is the mean of the finite values
  /// in its source block (NaN when there are none).
  /// - Complexity: O(input cells + output cells).
  static func resample(_ values: [[Double]], rows: Int, columns: Int) -> [[Double]] {
    let sourceRows = values.count, sourceColumns = values.first?.count ?? 0
    func block(_ i: Int, _ n: Int, _ source: Int) -> Range<Int> {
      let a = i * source / n
      let b = max(a + 1, (i + 1) * source / n)
      return a..<min(b, source)
    }
    return (0..<rows).map { i in
      let rr = block(i, rows, sourceRows)
      return (0..<columns).map { j in
        let cc = block(j, columns, sourceColumns)
        var sum = 0.0, n = 0
        for r in rr { for c in cc where values[r][c].isFinite { sum += values[r][c]; n += 1 } }
        return n > 0 ? sum / Double(n) : .nan
      }
    }
  }
}

/// A glyph with optional 24-bit colours; rows are rendered with an escape only where a colour
/// changes (a heatmap row of equal cells costs one escape, not one per cell).
struct PaintedCell: Equatable {
  var glyph: String
  var foreground: RGB?
  var background: RGB?

  static func render(_ cells: [PaintedCell], trueColour: Bool) -> String {
    var out = ""
    var fg: String?, bg: String?  // the escapes in effect (256-colour neighbours often share one)
    for cell in cells {
      if (fg != nil && cell.foreground == nil) || (bg != nil && cell.background == nil) {
        out += ANSIEscape.reset; fg = nil; bg = nil
      }
      if let c = cell.background {
        let code = ANSIEscape.background(c, trueColour: trueColour)
        if code != bg { out += code; bg = code }
      }
      if let c = cell.foreground {
        let code = ANSIEscape.foreground(c, trueColour: trueColour)
        if code != fg { out += code; fg = code }
      }
      out += cell.glyph
    }
    if fg != nil || bg != nil { out += ANSIEscape.reset }
    return out
  }
}
