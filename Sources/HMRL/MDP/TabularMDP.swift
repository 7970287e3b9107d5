/// A finite MDP given by explicit tables: the object every exact tool of HMRL works on.
///
/// Layout (all flat, row-major, so they can be handed to tensors without copying):
/// - `transitions[(s*A + a)*S + s']` = P(s' | s, a), each (s, a) row a probability vector;
/// - `expectedRewards[s*A + a]` = r(s, a) = Σ_{s'} P(s'|s,a) R(s,a,s');
/// - `initialDistribution[s]` = p₀(s).
///
/// Episodes have at most `horizon` decisions t = 0 … H−1 and return Σₜ γᵗ cₜ R(sₜ, aₜ, sₜ₊₁),
/// where cₜ is `stepRewardScale[t]` (1 when absent; MiniGrid-style rewards use it).
///
/// **Terminal states.** Entering a state listed in `terminalStates` ends the episode: no
/// action is taken there, no further reward is earned, and it never counts as a decision state
/// (for occupancy measures, reachability, d_E and P). Equivalently the state is absorbing with
/// zero reward and "not a decision state"; its rows of `transitions` are ignored. An episode
/// that starts in a terminal state has no decisions.
public struct TabularMDP: Sendable, Equatable {
  /// How rewards are given.
  public enum RewardTable: Sendable, Equatable {
    /// r(s, a), flat `[S*A]`.
    case perStateAction([Double])
    /// R(s, a, s'), flat `[S*A*S]`, same layout as `transitions`.
    case perTransition([Double])
  }

  /// |S|.
  public let stateCount: Int
  /// |A|.
  public let actionCount: Int
  /// P(s'|s,a), flat `[S*A*S]`.
  public let transitions: [Double]
  /// The reward table as given.
  public let rewards: RewardTable
  /// r(s,a) = E[R | s, a], flat `[S*A]`.
  public let expectedRewards: [Double]
  /// p₀, `[S]`.
  public let initialDistribution: [Double]
  /// H ≥ 1, the maximum number of decisions per episode.
  public let horizon: Int
  /// γ ∈ [0, 1].
  public let discount: Double
  /// `isTerminal[s]`: entering s ends the episode.
  public let isTerminal: [Bool]
  /// cₜ, `[H]`, multiplies the reward of decision t; `nil` means all ones.
  public let stepRewardScale: [Double]?

  /// The largest horizon accepted. NOTE: exact tools keep `[H+1][S]` value tables and
  /// MiniGrid-style rewards an `[H]` scale, so an unbounded H from a script could exhaust memory.
  public static let maximumHorizon = 100_000

  /// Creates an MDP from flat tables, validating every one.
  ///
  /// - Parameters:
  ///   - stateCount: |S| ≥ 1.
  ///   - actionCount: |A| ≥ 1.
  ///   - transitions: `[S*A*S]`, each (s, a) row non-negative, summing to 1 within 1e-9.
  ///   - rewards: finite rewards per (s, a) or per (s, a, s').
  ///   - initialDistribution: p₀, `[S]`, a probability vector.
  ///   - horizon: H in 1...`maximumHorizon`.
  ///   - discount: γ ∈ [0, 1] (default 1).
  ///   - terminalStates: indices of terminal states (default none).
  ///   - stepRewardScale: optional `[H]` finite multipliers cₜ.
  /// - Throws: `RLError` naming `tabularMDP`, e.g.
  ///   `tabularMDP: P[s=2, a=1] sums to 0.9, expected 1 within 1e-09`.
  /// - Complexity: O(S²A).
  public init(stateCount: Int, actionCount: Int, transitions: [Double], rewards: RewardTable,
              initialDistribution: [Double], horizon: Int, discount: Double = 1,
              terminalStates: Set<Int> = [], stepRewardScale: [Double]? = nil) throws {
    let op = "tabularMDP"
    guard stateCount >= 1, actionCount >= 1 else {
      throw RLError(.invalidArgument, op, "need at least one state and one action, got \(stateCount) states and \(actionCount) actions")
    }
    let (s, a) = (stateCount, actionCount)
    guard transitions.count == s * a * s else {
      throw RLError(.shapeMismatch, op, "transitions has \(transitions.count) entries, expected S*A*S = \(s * a * s)")
    }
    for state in 0..<s {
      for action in 0..<a {
        let lo = (state * a + action) * s
        var sum = 0.0
        for next in 0..<s {
          let x = transitions[lo + next]
          guard x.isFinite, x >= 0 else {
            throw RLError(.invalidProbability, op, "P[s=\(state), a=\(action), s'=\(next)] = \(x) is not a probability")
          }
          sum += x
        }
        guard abs(sum - 1) <= probabilitySumTolerance else {
          throw RLError(.invalidProbability, op, "P[s=\(state), a=\(action)] sums to \(sum), expected 1 within \(probabilitySumTolerance)")
        }
      }
    }
    var expected = [Double](repeating: 0, count: s * a)
    switch rewards {
    case .perStateAction(let r):
      guard r.count == s * a else {
        throw RLError(.shapeMismatch, op, "rewards per (s, a) has \(r.count) entries, expected S*A = \(s * a)")
      }
      if let i = r.firstIndex(where: { !$0.isFinite }) {
        throw RLError(.invalidArgument, op, "reward[s=\(i / a), a=\(i % a)] is not finite")
      }
      expected = r
    case .perTransition(let r):
      guard r.count == s * a * s else {
        throw RLError(.shapeMismatch, op, "rewards per (s, a, s') has \(r.count) entries, expected S*A*S = \(s * a * s)")
      }
      if let i = r.firstIndex(where: { !$0.isFinite }) {
        throw RLError(.invalidArgument, op, "reward[s=\(i / (a * s)), a=\((i / s) % a), s'=\(i % s)] is not finite")
      }
      for row in 0..<(s * a) {
        var total = 0.0
        for next in 0..<s { total += transitions[row * s + next] * r[row * s + next] }
        expected[row] = total
      }
    }
    guard initialDistribution.count == s else {
      throw RLError(.shapeMismatch, op, "initial distribution has \(initialDistribution.count) entries, expected \(s)")
    }
    try validateProbabilities(initialDistribution[...], operation: op, name: "initial distribution")
    guard horizon >= 1, horizon <= TabularMDP.maximumHorizon else {
      throw RLError(.invalidArgument, op, "horizon must be in 1...\(TabularMDP.maximumHorizon), got \(horizon)")
    }
    guard discount >= 0, discount <= 1 else {
      throw RLError(.invalidArgument, op, "discount must be in [0, 1], got \(discount)")
    }
    var terminal = [Bool](repeating: false, count: s)
    for t in terminalStates {
      guard t >= 0, t < s else { throw RLError(.outOfRange, op, "terminal state \(t) is out of range 0..<\(s)") }
      terminal[t] = true
    }
    if let scale = stepRewardScale {
      guard scale.count == horizon else {
        throw RLError(.shapeMismatch, op, "stepRewardScale has \(scale.count) entries, expected the horizon \(horizon)")
      }
      guard scale.allSatisfy(\.isFinite) else { throw RLError(.invalidArgument, op, "stepRewardScale has a non-finite entry") }
    }
    self.stateCount = s
    self.actionCount = a
    self.transitions = transitions
    self.rewards = rewards
    self.expectedRewards = expected
    self.initialDistribution = initialDistribution
    self.horizon = horizon
    self.discount = discount
    self.isTerminal = terminal
    self.stepRewardScale = stepRewardScale
  }

  /// Creates an MDP from nested tables `P[s][a][s']` and rewards `R[s][a]`.
  ///
  /// - Throws: `RLError` naming `tabularMDP` for ragged tables and everything the flat
  ///   initialiser checks.
  public init(transitions: [[[Double]]], rewards: [[Double]], initialDistribution: [Double],
              horizon: Int, discount: Double = 1, terminalStates: Set<Int> = []) throws {
    let s = transitions.count
    let a = transitions.first?.count ?? 0
    for (i, row) in transitions.enumerated() {
      guard row.count == a else {
        throw RLError(.shapeMismatch, "tabularMDP", "P[\(i)] has \(row.count) actions, expected \(a)")
      }
      for (j, next) in row.enumerated() where next.count != s {
        throw RLError(.shapeMismatch, "tabularMDP", "P[\(i)][\(j)] has \(next.count) next states, expected \(s)")
      }
    }
    guard rewards.count == s, rewards.allSatisfy({ $0.count == a }) else {
      throw RLError(.shapeMismatch, "tabularMDP", "rewards must be \(s)×\(a) (states × actions)")
    }
    try self.init(stateCount: s, actionCount: a, transitions: transitions.flatMap { $0.flatMap { $0 } },
                  rewards: .perStateAction(rewards.flatMap { $0 }), initialDistribution: initialDistribution,
                  horizon: horizon, discount: discount, terminalStates: terminalStates)
  }

  /// R(s, a, s'), the reward of one transition (r(s, a) when rewards are per (s, a)).
  /// - Throws: `RLError` (`.outOfRange`) naming `tabularMDP.reward` for an index out of range.
  public func reward(state s: Int, action a: Int, next: Int) throws -> Double {
    guard s >= 0, s < stateCount, next >= 0, next < stateCount else {
      throw RLError(.outOfRange, "tabularMDP.reward", "states \(s), \(next) must be in 0..<\(stateCount)")
    }
    guard a >= 0, a < actionCount else {
      throw RLError(.outOfRange, "tabularMDP.reward", "action \(a) is out of range 0..<\(actionCount)")
    }
    return rewardUnchecked(state: s, action: a, next: next)
  }

  @inlinable func rewardUnchecked(state s: Int, action a: Int, next: Int) -> Double {
    switch rewards {
    case .perStateAction(let r): return r[s * actionCount + a]
    case .perTransition(let r): return r[(s * actionCount + a) * stateCount + next]
    }
  }

  /// cₜ, the reward multiplier of decision t (1 outside 0..<H and when there are no scales).
  public func rewardScale(step t: Int) -> Double {
    guard let scale = stepRewardScale, t >= 0, t < scale.count else { return 1 }
    return scale[t]
  }

  /// Throws unless `policy` has this MDP's numbers of states and actions.
  func checkCompatible(_ policy: TabularPolicy, operation: String) throws {
    guard policy.stateCount == stateCount, policy.actionCount == actionCount else {
      throw RLError(.shapeMismatch, operation,
                    "policy is \(policy.stateCount) states × \(policy.actionCount) actions but the MDP has \(stateCount) × \(actionCount)")
    }
  }
}
