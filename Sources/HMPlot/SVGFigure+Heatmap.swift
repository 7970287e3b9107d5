extension SVGFigure {
  /// Square cells coloured by the grid's colour map, row 0 at the top, labelled rows and
  /// columns (every k-th label when there are many), and a colour bar with nice ticks to the
  /// right. NaN cells are left light grey.
  mutating func drawHeatmap() throws {
    guard let grid = figure.grid else { throw PlotError.emptyData(operation: "heatmap", detail: "no matrix") }
    let range = grid.resolvedColourRange
    let bar = TickScale(covering: range, targetCount: 6)
    let barTicks = bar.values.filter { $0 >= range.lowerBound - 1e-12 * abs(range.lowerBound) && $0 <= range.upperBound + 1e-12 * abs(range.upperBound) }
    let barLabelWidth = barTicks.map { Self.textWidth(bar.label($0), size: Self.tickFont) }.max() ?? 0
    let rows = grid.rowCount, columns = grid.columnCount
    let rowStride = Self.labelStride(rows), columnStride = Self.labelStride(columns)
    let rowLabels = (0..<rows).filter { $0 % rowStride == 0 }.map { grid.rowLabel($0) }
    let columnLabels = (0..<columns).filter { $0 % columnStride == 0 }.map { grid.columnLabel($0) }
    let longest = columnLabels.map { Self.textWidth($0, size: Self.tickFont) }.max() ?? 0
    let outer = try area(yTickLabels: rowLabels, rightWidth: 14 + 8 + barLabelWidth + 8)
    let rotate = longest > outer.width / Double(max(1, columnLabels.count)) - 4
    let depth = rotate ? min(longest * 0.6, 90) : 0
    let overhang = rotate ? Self.textWidth(columnLabels.first ?? "", size: Self.tickFont) * 0.82 + 6 : 0
    let available = try area(yTickLabels: rowLabels, rightWidth: 14 + 8 + barLabelWidth + 8, xLabelDepth: depth,
                             minimumLeft: overhang)
    let cell = min(available.width / Double(columns), available.height / Double(rows))
    let a = Area(x: available.x, y: available.y, width: cell * Double(columns), height: cell * Double(rows))

    let xTicks: [Tick] = (0..<columns).filter { $0 % columnStride == 0 }
      .map { (a.x + cell * (Double($0) + 0.5), grid.columnLabel($0)) }
    let yTicks: [Tick] = (0..<rows).filter { $0 % rowStride == 0 }
      .map { (a.y + cell * (Double($0) + 0.5), grid.rowLabel($0)) }
    drawAxes(a, xTicks: xTicks, yTicks: yTicks, grid: (false, false))
    doc.add("rect", ["x": Self.n(a.x), "y": Self.n(a.y), "width": Self.n(a.width), "height": Self.n(a.height), "fill": "#eeeeee"])
    doc.beginGroup(["shape-rendering": "crispEdges"])
    let span = range.upperBound - range.lowerBound
    for (r, row) in grid.values.enumerated() {
      for (c, v) in row.enumerated() where v.isFinite {
        let colour = grid.colourMap.colour(at: (v - range.lowerBound) / span)
        // Cells overlap by a hair so no seams show between them.
        doc.add("rect", ["x": Self.n(a.x + cell * Double(c)), "y": Self.n(a.y + cell * Double(r)),
                         "width": Self.n(cell + 0.3), "height": Self.n(cell + 0.3), "fill": colour.hex])
      }
    }
    doc.endGroup()
    if grid.showsValues { drawCellValues(grid, area: a, cell: cell, range: range) }
    drawFrameAndText(a, xTicks: xTicks, yTicks: yTicks, rotateXLabels: rotate, xLabelDepth: depth)

    // Colour bar: the maximum at the top.
    let barX = a.right + 16, barWidth = 14.0
    let stops = grid.colourMap.stops
    var gradient = "<linearGradient id=\"hmplot-colour-bar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
    for (i, s) in stops.enumerated() {
      let offset = stops.count > 1 ? Double(i) / Double(stops.count - 1) : 0
      gradient += "<stop offset=\"\(Self.n(offset))\" stop-color=\"\(s.hex)\"/>"
    }
    gradient += "</linearGradient>"
    doc.define(gradient)
    doc.add("rect", ["x": Self.n(barX), "y": Self.n(a.y), "width": Self.n(barWidth), "height": Self.n(a.height),
                     "fill": "url(#hmplot-colour-bar)", "stroke": Self.axisColour, "stroke-width": "1"])
    doc.beginGroup(["font-size": Self.n(Self.tickFont), "fill": Self.textColour])
    for t in barTicks {
      let y = a.bottom - (t - range.lowerBound) / span * a.height
      doc.add("line", ["x1": Self.n(barX + barWidth), "x2": Self.n(barX + barWidth + 4), "y1": Self.n(y), "y2": Self.n(y),
                       "stroke": Self.axisColour])
      doc.add("text", ["x": Self.n(barX + barWidth + 7), "y": Self.n(y + 4)], text: bar.label(t))
    }
    doc.endGroup()
  }

  /// Each finite cell's value, centred, white on dark cells and black on light ones; skipped
  /// when a cell is too small for its label.
  mutating func drawCellValues(_ grid: HeatmapGrid, area a: Area, cell: Double, range: ClosedRange<Double>) {
    let size = min(Self.tickFont, cell * 0.4)
    let labels = grid.values.map { $0.map { $0.isFinite ? Ticks.compact($0) : "" } }
    let widest = labels.joined().map { Self.textWidth($0, size: size) }.max() ?? 0
    guard size >= 6, widest <= cell - 2 else { return }
    let span = range.upperBound - range.lowerBound
    doc.beginGroup(["font-size": Self.n(size), "text-anchor": "middle"])
    for (r, row) in grid.values.enumerated() {
      for (c, v) in row.enumerated() where v.isFinite {
        let background = grid.colourMap.colour(at: (v - range.lowerBound) / span)
        doc.add("text", ["x": Self.n(a.x + cell * (Double(c) + 0.5)), "y": Self.n(a.y + cell * (Double(r) + 0.5) + size * 0.35),
                         "fill": background.relativeLuminance > 0.3 ? "#000000" : "#ffffff"], text: labels[r][c])
      }
    }
    doc.endGroup()
  }

  /// Label every k-th row or column so that at most about 12 labels show.
  static func labelStride(_ count: Int) -> Int {
    guard count > 12 else { return 1 }
    return Int(Ticks.niceNumber(Double(count) / 10, round: true).rounded(.up))
  }
}
