#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Seeded random tabular MDPs and policies, for tests and the metric-theory experiment.
///
/// Sparse supports matter: with full-support transitions and policies every state is reached by
/// every policy, and the differences between d_P, d_E and P (which states a policy reaches)
/// never show. Both generators therefore draw supports first and Dirichlet(1) weights on them.

/// Dirichlet(1, …, 1) weights on `count` entries (normalised exponentials).
func dirichletOnes(_ count: Int, using generator: inout some RandomNumberGenerator) -> [Double] {
  var w = (0..<count).map { _ in -log(1 - Double.random(in: 0..<1, using: &generator)) }
  let total = w.reduce(0, +)
  if total > 0 { w = w.map { $0 / total } } else { w = [Double](repeating: 1 / Double(count), count: count) }
  return w
}

/// `k` distinct indices of 0..<n, in random order.
func distinctIndices(_ k: Int, of n: Int, using generator: inout some RandomNumberGenerator) -> [Int] {
  var all = Array(0..<n)
  all.shuffle(using: &generator)
  return Array(all.prefix(k))
}

/// A random MDP: every (s, a) moves to between 1 and `maxSuccessors` distinct states with
/// Dirichlet(1) probabilities; p₀ is supported on one or two states; rewards r(s, a) ~ U[0, 1].
///
/// - Throws: `RLError` naming `randomTabularMDP` for counts < 1, `maxSuccessors < 1` or a bad
///   horizon or γ.
/// - Complexity: O(S² · A).
public func randomTabularMDP(stateCount: Int, actionCount: Int, horizon: Int, maxSuccessors: Int = 2,
                             discount: Double = 1,
                             using generator: inout some RandomNumberGenerator) throws -> TabularMDP {
  guard stateCount >= 1, actionCount >= 1, maxSuccessors >= 1 else {
    throw RLError(.invalidArgument, "randomTabularMDP",
                  "need stateCount, actionCount and maxSuccessors >= 1, got \(stateCount), \(actionCount), \(maxSuccessors)")
  }
  guard stateCount <= 4096, actionCount <= 4096, stateCount * stateCount * actionCount <= 50_000_000 else {
    throw RLError(.invalidArgument, "randomTabularMDP",
                  "S·S·A = \(stateCount)·\(stateCount)·\(actionCount) exceeds the dense-table limit of 50 000 000 entries")
  }
  let (nS, nA) = (stateCount, actionCount)
  var transitions = [Double](repeating: 0, count: nS * nA * nS)
  for row in 0..<(nS * nA) {
    let k = Int.random(in: 1...min(maxSuccessors, nS), using: &generator)
    let targets = distinctIndices(k, of: nS, using: &generator)
    let weights = dirichletOnes(k, using: &generator)
    for (t, w) in zip(targets, weights) { transitions[row * nS + t] = w }
  }
  var initial = [Double](repeating: 0, count: nS)
  let k0 = Int.random(in: 1...min(2, nS), using: &generator)
  for (s, w) in zip(distinctIndices(k0, of: nS, using: &generator), dirichletOnes(k0, using: &generator)) {
    initial[s] = w
  }
  let rewards = (0..<(nS * nA)).map { _ in Double.random(in: 0...1, using: &generator) }
  return try TabularMDP(stateCount: nS, actionCount: nA, transitions: transitions,
                        rewards: .perStateAction(rewards), initialDistribution: initial,
                        horizon: horizon, discount: discount)
}

/// A random policy: in each state, with probability `deterministicProbability` a single action
/// (one-hot); otherwise a random non-empty subset of actions with Dirichlet(1) weights, where
/// each action is left out with probability `zeroProbability`.
///
/// - Throws: `RLError` naming `randomTabularPolicy` for counts < 1 or probabilities outside [0, 1].
/// - Complexity: O(S · A).
public func randomTabularPolicy(stateCount: Int, actionCount: Int, deterministicProbability: Double = 0.3,
                                zeroProbability: Double = 0.3,
                                using generator: inout some RandomNumberGenerator) throws -> TabularPolicy {
  guard stateCount >= 1, actionCount >= 1 else {
    throw RLError(.invalidArgument, "randomTabularPolicy", "need stateCount and actionCount >= 1")
  }
  guard (0...1).contains(deterministicProbability), (0...1).contains(zeroProbability) else {
    throw RLError(.invalidProbability, "randomTabularPolicy", "probabilities must be in [0, 1]")
  }
  var table = [Double](repeating: 0, count: stateCount * actionCount)
  for s in 0..<stateCount {
    if Double.random(in: 0..<1, using: &generator) < deterministicProbability {
      table[s * actionCount + Int.random(in: 0..<actionCount, using: &generator)] = 1
      continue
    }
    var support = (0..<actionCount).filter { _ in Double.random(in: 0..<1, using: &generator) >= zeroProbability }
    if support.isEmpty { support = [Int.random(in: 0..<actionCount, using: &generator)] }
    for (a, w) in zip(support, dirichletOnes(support.count, using: &generator)) { table[s * actionCount + a] = w }
  }
  return try TabularPolicy(stateCount: stateCount, actionCount: actionCount, probabilities: table)
}
