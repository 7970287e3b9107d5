/// The base of the logarithm a divergence is reported in.
///
/// HMRL computes every divergence in nats (natural log) and converts at the end, so
/// `.two` only rescales by `1 / ln 2`.
public enum LogBase: String, Sendable, CaseIterable {
  /// Natural logarithm: results in nats (the default everywhere).
  case natural
  /// Base-2 logarithm: results in bits.
  case two

  /// The factor that converts a value in nats to this base.
  @inlinable public var fromNats: Double {
    switch self {
    case .natural: return 1
    case .two: return 1 / 0.693_147_180_559_945_309_417_232_121_458
    }
  }
}
