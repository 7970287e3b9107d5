/// A stationary stochastic policy on a finite MDP: a probability table π[s][a].
///
/// Stored flat, `probabilities[s*A + a]` = π(a | s), each row a probability vector. This is
/// the layout `categoricalDivergenceRows` takes, so policy metrics compare whole tables in one
/// batched call.
public struct TabularPolicy: Sendable, Equatable {
  /// |S|.
  public let stateCount: Int
  /// |A|.
  public let actionCount: Int
  /// π(a|s), flat `[S*A]`.
  public let probabilities: [Double]

  /// Creates a policy from a flat table.
  /// - Throws: `RLError` naming `tabularPolicy` for wrong sizes or rows that are not
  ///   probability vectors (the message names the state).
  public init(stateCount: Int, actionCount: Int, probabilities: [Double]) throws {
    let op = "tabularPolicy"
    guard stateCount >= 1, actionCount >= 1 else {
      throw RLError(.invalidArgument, op, "need at least one state and one action, got \(stateCount) and \(actionCount)")
    }
    guard probabilities.count == stateCount * actionCount else {
      throw RLError(.shapeMismatch, op, "table has \(probabilities.count) entries, expected \(stateCount)×\(actionCount)")
    }
    for s in 0..<stateCount {
      try validateProbabilities(probabilities[(s * actionCount)..<((s + 1) * actionCount)],
                                operation: op, name: "π[s=\(s)]")
    }
    self.stateCount = stateCount
    self.actionCount = actionCount
    self.probabilities = probabilities
  }

  /// Creates a policy from rows π[s] = [π(a₀|s), π(a₁|s), …].
  /// - Throws: `RLError` naming `tabularPolicy` for an empty or ragged table or invalid rows.
  public init(_ table: [[Double]]) throws {
    let a = table.first?.count ?? 0
    for (s, row) in table.enumerated() where row.count != a {
      throw RLError(.shapeMismatch, "tabularPolicy", "row \(s) has \(row.count) actions, expected \(a)")
    }
    try self.init(stateCount: table.count, actionCount: a, probabilities: table.flatMap { $0 })
  }

  /// The uniform policy π(a|s) = 1/|A|.
  /// - Throws: `RLError` when a count is < 1.
  public static func uniform(stateCount: Int, actionCount: Int) throws -> TabularPolicy {
    guard actionCount >= 1 else { throw RLError(.invalidArgument, "tabularPolicy", "need at least one action") }
    return try TabularPolicy(stateCount: stateCount, actionCount: actionCount,
                             probabilities: [Double](repeating: 1 / Double(actionCount), count: max(0, stateCount) * actionCount))
  }

  /// The deterministic policy that takes `actions[s]` in state s.
  /// - Throws: `RLError` (`.outOfRange`) naming `tabularPolicy` when an action is not in 0..<actionCount.
  public static func deterministic(actions: [Int], actionCount: Int) throws -> TabularPolicy {
    var table = [Double](repeating: 0, count: actions.count * max(actionCount, 0))
    for (s, a) in actions.enumerated() {
      guard a >= 0, a < actionCount else {
        throw RLError(.outOfRange, "tabularPolicy", "action \(a) in state \(s) is out of range 0..<\(actionCount)")
      }
      table[s * actionCount + a] = 1
    }
    return try TabularPolicy(stateCount: actions.count, actionCount: actionCount, probabilities: table)
  }

  /// π(·|s), `[A]`.
  /// - Throws: `RLError` (`.outOfRange`) naming `tabularPolicy.distribution` for a bad state.
  public func distribution(at s: Int) throws -> [Double] {
    try checkState(s, operation: "tabularPolicy.distribution")
    return Array(distributionSlice(at: s))
  }

  func checkState(_ s: Int, operation: String) throws {
    guard s >= 0, s < stateCount else {
      throw RLError(.outOfRange, operation, "state \(s) is out of range 0..<\(stateCount)")
    }
  }

  /// π(·|s) as a slice of `probabilities` (indices s*A ..< (s+1)*A), without copying.
  @inlinable func distributionSlice(at s: Int) -> ArraySlice<Double> {
    probabilities[(s * actionCount)..<((s + 1) * actionCount)]
  }

  /// π(a|s).
  /// - Throws: `RLError` (`.outOfRange`) naming `tabularPolicy.probability` for a bad state or action.
  public func probability(of a: Int, at s: Int) throws -> Double {
    try checkState(s, operation: "tabularPolicy.probability")
    guard a >= 0, a < actionCount else {
      throw RLError(.outOfRange, "tabularPolicy.probability", "action \(a) is out of range 0..<\(actionCount)")
    }
    return probabilities[s * actionCount + a]
  }

  /// The most probable action in state s (lowest index on ties).
  /// - Throws: `RLError` (`.outOfRange`) naming `tabularPolicy.greedyAction` for a bad state.
  public func greedyAction(at s: Int) throws -> Int {
    try checkState(s, operation: "tabularPolicy.greedyAction")
    return greedyActionUnchecked(at: s)
  }

  func greedyActionUnchecked(at s: Int) -> Int {
    var best = 0
    for a in 1..<max(actionCount, 1) where probabilities[s * actionCount + a] > probabilities[s * actionCount + best] {
      best = a
    }
    return best
  }
}
