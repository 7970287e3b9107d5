/// A k-armed Bernoulli bandit: one state, k actions, arm i pays 1 with probability `armMeans[i]`.
public struct Bandit: Sendable, Equatable {
  /// The success probability of each arm, `[k]`, each in [0, 1].
  public let armMeans: [Double]
  /// Number of pulls per episode.
  public let horizon: Int
  /// The task features: the arm means (shape `[k]`).
  public var features: [Double] { armMeans }

  /// - Throws: `RLError` naming `bandit` for no arms, a mean outside [0, 1] or a horizon < 1.
  public init(armMeans: [Double], horizon: Int) throws {
    guard !armMeans.isEmpty else { throw RLError(.invalidArgument, "bandit", "need at least one arm") }
    for (i, m) in armMeans.enumerated() where !(m >= 0 && m <= 1) {
      throw RLError(.invalidProbability, "bandit", "arm \(i) has mean \(m); means must be in [0, 1]")
    }
    guard horizon >= 1 else { throw RLError(.invalidArgument, "bandit", "horizon must be >= 1, got \(horizon)") }
    self.armMeans = armMeans
    self.horizon = horizon
  }

  /// The bandit as a one-state tabular MDP with expected rewards (for exact tools).
  public func tabularMDP() throws -> TabularMDP {
    let k = armMeans.count
    return try TabularMDP(stateCount: 1, actionCount: k, transitions: [Double](repeating: 1, count: k),
                          rewards: .perStateAction(armMeans), initialDistribution: [1], horizon: horizon)
  }

  /// A Bernoulli reward draw for pulling `arm`.
  /// - Throws: `RLError` (`.outOfRange`) naming `bandit.pull` for an arm out of range.
  public func pull(_ arm: Int, using generator: inout some RandomNumberGenerator) throws -> Double {
    guard arm >= 0, arm < armMeans.count else {
      throw RLError(.outOfRange, "bandit.pull", "arm \(arm) is out of range 0..<\(armMeans.count)")
    }
    return Double.random(in: 0..<1, using: &generator) < armMeans[arm] ? 1 : 0
  }

  /// The best arm's expected total reward over an episode (the oracle return).
  public var optimalReturn: Double { (armMeans.max() ?? 0) * Double(horizon) }
}

/// A seeded family of `count` k-armed Bernoulli bandits with arm means uniform in [0, 1]
/// (the bandit family of Duan et al. 2016 / Wang et al. 2016 meta-RL benchmarks).
///
/// - Throws: `RLError` naming `banditFamily` for `count < 1`, `arms < 1` or `horizon < 1`.
/// - Complexity: O(count · arms).
public func banditFamily(count: Int, arms: Int, horizon: Int,
                         using generator: inout some RandomNumberGenerator) throws -> [Bandit] {
  guard count >= 1, arms >= 1 else {
    throw RLError(.invalidArgument, "banditFamily", "need count >= 1 and arms >= 1, got \(count) and \(arms)")
  }
  var family = [Bandit]()
  for _ in 0..<count {
    family.append(try Bandit(armMeans: (0..<arms).map { _ in Double.random(in: 0...1, using: &generator) },
                             horizon: horizon))
  }
  return family
}
