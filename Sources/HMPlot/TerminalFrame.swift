/// Assembles a terminal figure around a body of pre-rendered rows: title, a frame, labels to
/// the left (tick labels, bar labels, the y label on the middle row), a legend or colour bar to
/// the right, min/max x labels and the x label below.
///
/// Body and right-hand rows may hold colour escapes; their visible widths are given, never
/// measured. Trailing spaces are trimmed from every line.
struct TerminalFrame {
  enum Border { case box, open }

  var style: TerminalStyle
  var border: Border = .box
  var title = ""
  /// Rows of the body, each `bodyWidth` visible characters.
  var body: [String] = []
  var bodyWidth = 0
  /// One label per body row ("" for none), right-aligned next to the frame.
  var leftLabels: [String] = []
  /// Drawn left of the labels on the middle row.
  var yLabel = ""
  /// Drawn left of the top border, right-aligned like `leftLabels`.
  var topLeft = ""
  /// Rendered text right of the frame, one per body row at most.
  var rightLabels: [String] = []
  var bottomLeft = ""
  var bottomRight = ""
  var xLabel = ""

  /// Width of everything left of the frame's left border.
  static func leftMarginWidth(labels: [String], yLabel: String, topLeft: String = "") -> Int {
    let labelWidth = max(topLeft.count, labels.map(\.count).max() ?? 0)
    return (yLabel.isEmpty ? 0 : yLabel.count + 1) + labelWidth + 1
  }

  func render() -> String {
    let u = style.unicode
    let labelWidth = max(topLeft.count, leftLabels.map(\.count).max() ?? 0)
    let yLabelWidth = yLabel.isEmpty ? 0 : yLabel.count + 1
    let margin = String(repeating: " ", count: yLabelWidth + labelWidth + 1)
    let middle = body.count / 2
    var lines: [String] = []

    func centred(_ text: String) -> String {
      let pad = max(0, (bodyWidth + 2 - text.count) / 2)
      return margin + String(repeating: " ", count: pad) + text
    }
    func padLeft(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }

    let title = Self.sanitized(self.title), xLabel = Self.sanitized(self.xLabel)
    if !title.isEmpty { lines.append(centred(title)) }

    let (tl, tr, bl, br, h, v): (String, String, String, String, String, String) =
      u ? ("┌", "┐", "└", "┘", "─", "│") : ("+", "+", "+", "+", "-", "|")
    let fill = border == .box ? h : " "
    let horizontal = String(repeating: fill, count: bodyWidth)
    let topPrefix = String(repeating: " ", count: yLabelWidth) + padLeft(topLeft, labelWidth) + " "
    lines.append(topPrefix + tl + horizontal + tr)
    for (i, row) in body.enumerated() {
      let yl = i == middle && !yLabel.isEmpty ? yLabel + " " : String(repeating: " ", count: yLabelWidth)
      let label = i < leftLabels.count ? leftLabels[i] : ""
      let left = border == .box ? v : (u ? "┤" : "|")
      let right = border == .box ? v : ""
      var line = yl + padLeft(label, labelWidth) + " " + left + row + right
      if i < rightLabels.count, !rightLabels[i].isEmpty {
        line += (border == .box ? " " : "") + rightLabels[i]
      }
      lines.append(line)
    }
    lines.append(margin + bl + horizontal + br)
    if !bottomLeft.isEmpty || !bottomRight.isEmpty {
      let gap = max(1, bodyWidth - bottomLeft.count - bottomRight.count)
      lines.append(margin + " " + bottomLeft + String(repeating: " ", count: gap) + bottomRight)
    }
    if !xLabel.isEmpty { lines.append(centred(xLabel)) }
    return lines.map(Self.trimmingTrailingSpaces).joined(separator: "\n")
  }

  static func trimmingTrailingSpaces(_ s: String) -> String {
    var t = Substring(s)
    while t.last == " " { t.removeLast() }
    return String(t)
  }

  /// `text` with control characters (ESC, BEL, newlines, …) replaced by spaces, so user labels
  /// can never inject escape sequences or break the layout.
  static func sanitized(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }) else {
      return text
    }
    var out = ""
    for s in text.unicodeScalars {
      out.unicodeScalars.append(s.value < 0x20 || (s.value >= 0x7F && s.value < 0xA0) ? " " : s)
    }
    return out
  }

  /// `text` sanitized and cut to `limit` characters with an ellipsis.
  static func truncated(_ text: String, _ limit: Int, unicode: Bool) -> String {
    let text = sanitized(text)
    guard text.count > limit, limit > 1 else { return text }
    return unicode ? String(text.prefix(limit - 1)) + "…" : String(text.prefix(max(1, limit - 3))) + "..."
  }
}
