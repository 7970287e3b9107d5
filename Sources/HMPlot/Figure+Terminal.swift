extension Figure {
  /// The figure as text for a terminal, lines joined by `\n` (no trailing newline).
  ///
  /// - Parameters:
  ///   - width: total width in characters, labels and legend included; nil fits the terminal
  ///     (standard output's columns, at most 120).
  ///   - height: total height in lines for line, scatter and heatmap figures; nil fits the
  ///     terminal (rows − 6, between 10 and 24). Histograms and bar charts take one line per bar
  ///     whatever the height.
  ///   - style: glyphs and colour; nil detects them from standard output
  ///     (`TerminalCapabilities.detect().style`). With `colour == false` the text holds no
  ///     escape codes; with `unicode == false` it is pure ASCII.
  /// - Throws: `PlotError` when the figure is invalid or the size too small.
  public func renderTerminal(width: Int? = nil, height: Int? = nil,
                             style: TerminalStyle? = nil) throws -> String {
    try validate()
    let caps = (width == nil || height == nil || style == nil) ? TerminalCapabilities.detect() : nil
    let w = width ?? min(120, caps?.columns ?? 80)
    let h = height ?? min(24, max(10, (caps?.rows ?? 24) - 6))
    let s = style ?? caps?.style ?? .plain
    switch kind {
    case .line: return try LinePlot.renderTerminal(self, width: w, height: h, style: s)
    case .scatter: return try ScatterPlot.renderTerminal(self, width: w, height: h, style: s)
    case .histogram: return try Histogram.renderTerminal(self, width: w, height: h, style: s)
    case .bar: return try BarChart.renderTerminal(self, width: w, height: h, style: s)
    case .heatmap: return try Heatmap.renderTerminal(self, width: w, height: h, style: s)
    }
  }
}
