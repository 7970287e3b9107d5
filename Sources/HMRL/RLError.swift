/// An error raised by HMRL for input a user, a script or a file can reach.
///
/// Every error names the operation that failed and says what was wrong in terms of the
/// caller's input, e.g. `maze: row 3 has 7 columns, expected 9` or
/// `kullbackLeibler: p has 3 entries but q has 4`.
public struct RLError: Error, Equatable, CustomStringConvertible, Sendable {
  /// The broad class of the failure, for callers that branch on it (tests, the runtime).
  public enum Kind: String, Equatable, Sendable {
    /// Arrays or tables whose sizes do not agree.
    case shapeMismatch
    /// A probability vector or table that is negative, non-finite or does not sum to 1.
    case invalidProbability
    /// A numeric argument outside its documented domain (negative horizon, γ > 1, ...).
    case invalidArgument
    /// An index (state, action, cell) outside its range.
    case outOfRange
    /// A maze map that cannot be parsed.
    case invalidMap
    /// A matrix that is not symmetric positive definite, or a similar numerical failure.
    case numerical
  }

  /// The class of the failure.
  public let kind: Kind
  /// The operation that failed, as a user would call it (`kullbackLeibler`, `maze`).
  public let operation: String
  /// What was wrong, without the operation prefix.
  public let message: String

  public init(_ kind: Kind, _ operation: String, _ message: String) {
    self.kind = kind
    self.operation = operation
    self.message = message
  }

  /// `operation: message`, the text shown to users.
  public var description: String { "\(operation): \(message)" }
}
