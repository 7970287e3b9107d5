/// A character grid where each cell holds 2×4 dots, drawn as a Braille pattern (U+2800 block)
/// or, in ASCII, as the character whose shape best matches the dots.
///
/// Pixel (0, 0) is the top-left dot; the canvas maps data coordinates `xRange × yRange` onto
/// `2·columns × 4·rows` pixels with y increasing upwards. Each cell remembers the colour
/// (series index) of the last dot drawn in it and an optional marker character that replaces
/// the dots (scatter markers when colour cannot tell series apart).
///
/// ```swift
/// var c = BrailleCanvas(columns: 20, rows: 5, xRange: 0...1, yRange: 0...1)
/// c.line(from: (0, 0), to: (1, 1), colour: 0)
/// let rows = c.renderRows(style: .unicodeMonochrome)
/// ```
public struct BrailleCanvas: Sendable {
  public let columns: Int
  public let rows: Int
  public let xRange: ClosedRange<Double>
  public let yRange: ClosedRange<Double>
  private var dots: [UInt8]
  private var colours: [Int]
  private var markers: [Character?]

  /// Bits of the Braille dots, indexed `[row][column]` within a cell (Unicode's dot numbering
  /// 1-2-3-7 down the left column, 4-5-6-8 down the right).
  static let dotBits: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]

  /// A blank canvas; sizes below 1 become 1, degenerate ranges are widened.
  public init(columns: Int, rows: Int, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
    self.columns = max(1, columns); self.rows = max(1, rows)
    self.xRange = Ticks.nonDegenerate(xRange); self.yRange = Ticks.nonDegenerate(yRange)
    let n = self.columns * self.rows
    dots = Array(repeating: 0, count: n)
    colours = Array(repeating: -1, count: n)
    markers = Array(repeating: nil, count: n)
  }

  public var pixelWidth: Int { columns * 2 }
  public var pixelHeight: Int { rows * 4 }

  /// Pixel coordinates (fractional) of a data point; not clipped.
  func pixel(_ x: Double, _ y: Double) -> (Double, Double) {
    let px = (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * Double(pixelWidth - 1)
    let py = (yRange.upperBound - y) / (yRange.upperBound - yRange.lowerBound) * Double(pixelHeight - 1)
    return (px, py)
  }

  /// Sets one dot; pixels outside the canvas are ignored.
  public mutating func setPixel(_ px: Int, _ py: Int, colour: Int) {
    guard px >= 0, py >= 0, px < pixelWidth, py < pixelHeight else { return }
    let cell = (py / 4) * columns + px / 2
    dots[cell] |= Self.dotBits[py % 4][px % 2]
    colours[cell] = colour
  }

  /// A dot at data point (x, y); non-finite or outside points are skipped.
  public mutating func point(_ x: Double, _ y: Double, colour: Int) {
    guard x.isFinite, y.isFinite else { return }
    let (px, py) = pixel(x, y)
    guard px > -0.5, py > -0.5, px < Double(pixelWidth) - 0.5, py < Double(pixelHeight) - 0.5 else { return }
    setPixel(Int(px.rounded()), Int(py.rounded()), colour: colour)
  }

  /// A marker character in the cell holding data point (x, y), replacing its dots.
  public mutating func mark(_ x: Double, _ y: Double, marker: Character, colour: Int) {
    guard x.isFinite, y.isFinite else { return }
    let (px, py) = pixel(x, y)
    guard px > -0.5, py > -0.5, px < Double(pixelWidth) - 0.5, py < Double(pixelHeight) - 0.5 else { return }
    let cell = (Int(py.rounded()) / 4) * columns + Int(px.rounded()) / 2
    markers[cell] = marker
    colours[cell] = colour
  }

  /// A straight segment between two data points (Bresenham on the pixel grid), clipped to the
  /// canvas; `dotted` draws every other pixel (confidence-band edges). Non-finite ends skip it.
  public mutating func line(from a: (Double, Double), to b: (Double, Double), colour: Int,
                            dotted: Bool = false) {
    guard a.0.isFinite, a.1.isFinite, b.0.isFinite, b.1.isFinite else { return }
    let p = pixel(a.0, a.1), q = pixel(b.0, b.1)
    guard let (c0, c1) = clip(p, q) else { return }
    var x0 = Int(c0.0.rounded()), y0 = Int(c0.1.rounded())
    let x1 = Int(c1.0.rounded()), y1 = Int(c1.1.rounded())
    let dx = abs(x1 - x0), dy = -abs(y1 - y0)
    let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
    var err = dx + dy
    var step = 0
    while true {
      if !dotted || step % 2 == 0 { setPixel(x0, y0, colour: colour) }
      if x0 == x1 && y0 == y1 { break }
      let e2 = 2 * err
      if e2 >= dy { err += dy; x0 += sx }
      if e2 <= dx { err += dx; y0 += sy }
      step += 1
    }
  }

  /// Liang–Barsky clipping of a pixel-space segment to the canvas rectangle.
  private func clip(_ p: (Double, Double), _ q: (Double, Double)) -> ((Double, Double), (Double, Double))? {
    guard p.0.isFinite, p.1.isFinite, q.0.isFinite, q.1.isFinite else { return nil }
    let xmin = -0.49, ymin = -0.49
    let xmax = Double(pixelWidth) - 0.51, ymax = Double(pixelHeight) - 0.51
    let dx = q.0 - p.0, dy = q.1 - p.1
    var t0 = 0.0, t1 = 1.0
    for (pp, qq) in [(-dx, p.0 - xmin), (dx, xmax - p.0), (-dy, p.1 - ymin), (dy, ymax - p.1)] {
      if pp == 0 {
        if qq < 0 { return nil }
      } else {
        let r = qq / pp
        if pp < 0 { if r > t1 { return nil }; if r > t0 { t0 = r } }
        else { if r < t0 { return nil }; if r < t1 { t1 = r } }
      }
    }
    guard dx.isFinite, dy.isFinite else { return nil }
    return ((p.0 + t0 * dx, p.1 + t0 * dy), (p.0 + t1 * dx, p.1 + t1 * dy))
  }

  /// The glyph of cell (column, row) without colour.
  public func glyph(column: Int, row: Int, unicode: Bool) -> Character {
    let cell = row * columns + column
    if let m = markers[cell] { return m }
    let bits = dots[cell]
    if bits == 0 { return " " }
    if unicode { return Character(Unicode.Scalar(0x2800 + UInt32(bits)) ?? " ") }
    return Self.asciiGlyph(bits)
  }

  /// The ASCII character closest in shape to a 2×4 dot pattern (`|`, `/`, `\`, `-`, `_`, …).
  static func asciiGlyph(_ bits: UInt8) -> Character {
    var left: [Int] = [], right: [Int] = []
    for r in 0..<4 {
      if bits & dotBits[r][0] != 0 { left.append(r) }
      if bits & dotBits[r][1] != 0 { right.append(r) }
    }
    let all = left + right
    if all.isEmpty { return " " }
    if all.count >= 7 { return "#" }
    let lo = all.min() ?? 0, hi = all.max() ?? 0
    let mean = Double(all.reduce(0, +)) / Double(all.count)
    if left.isEmpty || right.isEmpty {
      if hi - lo >= 2 { return "|" }
      return mean < 1 ? "'" : mean < 2.5 ? "-" : "."
    }
    let lm = Double(left.reduce(0, +)) / Double(left.count)
    let rm = Double(right.reduce(0, +)) / Double(right.count)
    if hi - lo >= 2 {
      if lm + 0.5 < rm { return "\\" }
      if rm + 0.5 < lm { return "/" }
      return "|"
    }
    if lm + 0.5 < rm { return "\\" }
    if rm + 0.5 < lm { return "/" }
    return mean < 1 ? "'" : mean < 2.5 ? "-" : "_"
  }

  /// The rows as text, top first, each exactly `columns` visible characters; coloured with the
  /// ANSI series colours of `Palette.ansiSeriesCode` when `style.colour`.
  public func renderRows(style: TerminalStyle) -> [String] {
    (0..<rows).map { row in
      var line = ""
      var current = -1
      for column in 0..<columns {
        let g = glyph(column: column, row: row, unicode: style.unicode)
        let colour = g == " " ? -1 : colours[row * columns + column]
        if style.colour && colour != current {
          if current >= 0 { line += ANSIEscape.reset }
          if colour >= 0 { line += ANSIEscape.foreground(code: Palette.ansiSeriesCode(colour)) }
          current = colour
        }
        line.append(g)
      }
      if style.colour && current >= 0 { line += ANSIEscape.reset }
      return line
    }
  }
}
