/// An error raised by a tensor operation on bad input: the message names the operation and
/// the shapes (or the offending value), e.g. `matmul: shapes [3, 4] and [5, 2] do not align`.
///
/// Every failure reachable from user input (shapes, indices, axes, data counts) throws one
/// of these; traps are reserved for internal invariants.
public struct TensorError: Error, Equatable, CustomStringConvertible, Sendable {
  /// What went wrong, as a category tests and bindings can switch on.
  public enum Kind: String, Sendable {
    case shapeMismatch
    case invalidShape
    case invalidAxis
    case indexOutOfRange
    case invalidArgument
    case dtypeMismatch
    case notDifferentiable
  }

  /// The category of failure.
  public let kind: Kind
  /// The operation that failed (`matmul`, `add`, `reshape`, ...).
  public let operation: String
  /// The full message, starting with the operation name.
  public let message: String

  /// An error of `kind` in `operation`; the message is "operation: detail".
  public init(_ kind: Kind, _ operation: String, _ detail: String) {
    self.kind = kind
    self.operation = operation
    self.message = "\(operation): \(detail)"
  }

  /// The message, e.g. "matmul: shapes [3, 4] and [5, 2] do not align".
  public var description: String { message }

  static func shapes(_ op: String, _ a: [Int], _ b: [Int], _ what: String) -> TensorError {
    TensorError(.shapeMismatch, op, "shapes \(a) and \(b) \(what)")
  }
}
