/// An error raised while describing or rendering a figure, a table or a progress report.
///
/// Every case names the operation that failed (`"line"`, `"heatmap"`, `"table"`, …) so a
/// message reads on its own: `heatmap: row 2 has 3 values, expected 4`.
public enum PlotError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Two arrays that must have the same length do not.
  case lengthMismatch(operation: String, detail: String)
  /// There is nothing to draw (no values, or no finite values) where something is required.
  case emptyData(operation: String, detail: String)
  /// A matrix whose rows differ in length.
  case raggedMatrix(operation: String, row: Int, expected: Int, got: Int)
  /// An argument outside its documented domain (a bin count of 0, an inverted range, …).
  case invalidArgument(operation: String, detail: String)
  /// The requested size is too small to draw the figure legibly.
  case tooSmall(operation: String, width: Int, height: Int, minimumWidth: Int, minimumHeight: Int)

  public var description: String {
    switch self {
    case let .lengthMismatch(op, detail): return "\(op): \(detail)"
    case let .emptyData(op, detail): return "\(op): \(detail)"
    case let .raggedMatrix(op, row, expected, got):
      return "\(op): row \(row) has \(got) values, expected \(expected)"
    case let .invalidArgument(op, detail): return "\(op): \(detail)"
    case let .tooSmall(op, w, h, mw, mh):
      return "\(op): size \(w)×\(h) is too small, need at least \(mw)×\(mh) characters"
    }
  }
}
