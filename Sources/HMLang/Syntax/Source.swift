/// A named piece of source text (a script, a REPL entry, a module) with a line table, so that
/// byte offsets turn into `line:column` positions for diagnostics.
public final class Source: @unchecked Sendable {
  /// The name shown in diagnostics: a file path, `<repl>`, `<eval>`.
  public let name: String
  public let text: String
  /// UTF-8 bytes of `text`; offsets in spans index this array.
  public let bytes: [UInt8]
  /// Byte offset of the first character of every line.
  private let lineStarts: [Int]

  public init(name: String, text: String) {
    self.name = name
    self.text = text
    self.bytes = Array(text.utf8)
    var starts = [0]
    for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
    self.lineStarts = starts
  }

  /// The 1-based line and column (in characters) of a byte offset.
  public func position(of offset: Int) -> (line: Int, column: Int) {
    let clamped = max(0, min(offset, bytes.count))
    var lo = 0, hi = lineStarts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
    }
    let start = lineStarts[lo]
    let column = String(decoding: bytes[start..<clamped], as: UTF8.self).count + 1
    return (lo + 1, column)
  }

  /// The text a span covers.
  public func text(of span: Span) -> String {
    let lo = max(0, min(span.start, bytes.count)), hi = max(lo, min(span.end, bytes.count))
    return String(decoding: bytes[lo..<hi], as: UTF8.self)
  }

  /// The text of a 1-based line, without its newline.
  public func lineText(_ line: Int) -> String {
    guard line >= 1, line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
  }
}

/// A byte range in a `Source`.
public struct Span: Equatable, Sendable {
  public var start: Int
  public var end: Int
  public init(_ start: Int, _ end: Int) { self.start = start; self.end = max(start, end) }
  public static let none = Span(0, 0)
  /// The smallest span covering both.
  public func to(_ other: Span) -> Span { Span(min(start, other.start), max(end, other.end)) }
}
