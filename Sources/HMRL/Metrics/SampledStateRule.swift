/// The outcome of the note's §II similarity rule for one pair of policies.
public struct SampledStateRuleResult: Sendable, Equatable {
  /// (1/N) Σₖ sqrt J(π_i(s_k), π_j(s_k)) over the N states.
  public let meanDistance: Double
  /// The threshold ε the mean was compared with.
  public let epsilon: Double
  /// `meanDistance < epsilon`: the two tasks are of the same "class" (label 1).
  public var similar: Bool { meanDistance < epsilon }
}

func checkEpsilon(_ epsilon: Double, operation: String) throws {
  guard epsilon.isFinite, epsilon > 0 else {
    throw RLError(.invalidArgument, operation, "epsilon must be a finite number > 0, got \(epsilon)")
  }
}

func checkStates(_ states: [Int], stateCount: Int, operation: String) throws {
  guard !states.isEmpty else { throw RLError(.invalidArgument, operation, "the state sample is empty") }
  for s in states where s < 0 || s >= stateCount {
    throw RLError(.outOfRange, operation, "state \(s) is out of range 0..<\(stateCount)")
  }
}

// §II rule
/// The note's §II rule: tasks i and j are of the same class when
///
///     (1/N) Σ_{k=1}^{N} sqrt J(π_{θ'_i}(s_k), π_{θ'_j}(s_k)) < ε
///
/// over the given states s₁ … s_N (repeats count, so a sample from any state distribution can
/// be passed as is). Tabular policies here; states are indices.
///
/// - Throws: `RLError` naming `sampledStateRule` for mismatched shapes, an empty sample, a
///   state out of range, or ε ≤ 0.
/// - Complexity: O(N · A).
public func sampledStateRule(_ a: TabularPolicy, _ b: TabularPolicy, states: [Int], epsilon: Double,
                             base: LogBase = .natural) throws -> SampledStateRuleResult {
  let op = "sampledStateRule"
  try checkSameShape(a, b, operation: op)
  try checkStates(states, stateCount: a.stateCount, operation: op)
  try checkEpsilon(epsilon, operation: op)
  let d = stateWiseDistances(a, b, base: base)
  var total = 0.0
  for s in states { total += d[s] }
  return SampledStateRuleResult(meanDistance: total / Double(states.count), epsilon: epsilon)
}

/// Draws `count` states i.i.d. from `distribution` (`[S]`, a probability vector), e.g. a
/// policy's normalised occupancy measure, for the §II rule.
/// - Throws: `RLError` naming `sampleStates` for an invalid distribution or `count < 1`.
/// - Complexity: O(count · S).
public func sampleStates(from distribution: [Double], count: Int,
                         using generator: inout some RandomNumberGenerator) throws -> [Int] {
  guard count >= 1 else { throw RLError(.invalidArgument, "sampleStates", "count must be >= 1, got \(count)") }
  try validateProbabilities(distribution[...], operation: "sampleStates", name: "distribution")
  return (0..<count).map { _ in sampleCategorical(distribution[...], using: &generator) }
}
