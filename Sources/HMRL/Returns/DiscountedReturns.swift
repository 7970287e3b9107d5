/// Per-step returns and advantages on padded batches: arrays `[B, T]` row-major (episode b,
/// step t at `b*T + t`) with masks (1 real, 0 padding). Padded steps contribute nothing and get
/// 0. Computed in double precision.

/// Rₜ = Σ_{k≥t} γ^{k−t} m_k r_k, `[B, T]` (0 on padded steps).
/// - Throws: `RLError` naming `discountedReturns` when the arrays are not `[B, T]` or γ ∉ [0, 1].
/// - Complexity: O(B·T).
public func discountedReturns(rewards: [Double], masks: [Double], episodes: Int, steps: Int,
                              discount: Double) throws -> [Double] {
  try checkPadded("discountedReturns", episodes, steps, ["rewards": rewards, "masks": masks])
  try checkDiscount("discountedReturns", discount)
  var out = [Double](repeating: 0, count: episodes * steps)
  for b in 0..<episodes {
    var running = 0.0
    for t in stride(from: steps - 1, through: 0, by: -1) {
      let i = b * steps + t
      running = rewards[i] * masks[i] + discount * running
      out[i] = running * masks[i]
    }
  }
  return out
}

/// Generalised advantage estimation (Schulman et al. 2016): δₜ = rₜ + γ V(s_{t+1}) − V(sₜ),
/// Aₜ = Σ_k (γλ)^k δ_{t+k}, with V = 0 after an episode's last step. With λ = 1 this is the
/// discounted return minus the baseline. `[B, T]`, 0 on padded steps.
/// - Throws: `RLError` naming `generalizedAdvantages` for mismatched arrays, γ or λ ∉ [0, 1].
/// - Complexity: O(B·T).
public func generalizedAdvantages(rewards: [Double], values: [Double], masks: [Double],
                                  episodes: Int, steps: Int, discount: Double, lambda: Double) throws -> [Double] {
  let op = "generalizedAdvantages"
  try checkPadded(op, episodes, steps, ["rewards": rewards, "values": values, "masks": masks])
  try checkDiscount(op, discount)
  guard lambda >= 0, lambda <= 1 else { throw RLError(.invalidArgument, op, "λ must be in [0, 1], got \(lambda)") }
  var out = [Double](repeating: 0, count: episodes * steps)
  for b in 0..<episodes {
    var running = 0.0
    var nextValue = 0.0
    for t in stride(from: steps - 1, through: 0, by: -1) {
      let i = b * steps + t
      let m = masks[i]
      let v = values[i] * m
      let delta = (rewards[i] + discount * nextValue - v) * m
      running = delta + discount * lambda * running * m
      out[i] = running
      nextValue = v
    }
  }
  return out
}

/// pytorch-maml-rl's `weighted_normalize`: (A − μ)/(σ + ε) on real steps, 0 on padding, where
/// μ and σ² are *weighted means* — the mean over episodes of each episode's mean over its
/// steps. Returns zeros when no step is real.
/// - Throws: `RLError` naming `normalizeAdvantages` for mismatched arrays.
public func normalizeAdvantages(_ advantages: [Double], masks: [Double], episodes: Int, steps: Int,
                                epsilon: Double = 1e-8, stepWeights: [Double]? = nil) throws -> [Double] {
  try checkPadded("normalizeAdvantages", episodes, steps, ["advantages": advantages, "masks": masks])
  if let sw = stepWeights { try checkPadded("normalizeAdvantages", episodes, steps, ["stepWeights": sw]) }
  let mean = weightedMean(advantages, masks: masks, episodes: episodes, steps: steps, stepWeights: stepWeights)
  var centred = [Double](repeating: 0, count: advantages.count)
  for i in 0..<advantages.count { centred[i] = (advantages[i] - mean) * masks[i] }
  let variance = weightedMean(centred.map { $0 * $0 }, masks: masks, episodes: episodes, steps: steps,
                              stepWeights: stepWeights)
  let scale = 1 / (variance.squareRoot() + epsilon)
  guard scale.isFinite else { return [Double](repeating: 0, count: advantages.count) }
  return centred.map { $0 * scale }
}

/// The mean over episodes with at least one real step of Σₜ mₜ xₜ / Σₜ mₜ (0 when none).
///
/// With `stepWeights` wₜ (≥ 0), every step counts wₜ times, as in the loss whose weights are
/// mₜ wₜ / (nₑ B): Σₑ Σₜ mₜ wₜ xₜ / nₑ divided by Σₑ Σₜ mₜ wₜ / nₑ (nₑ the episode's real steps).
/// All ones give the unweighted mean; an episode whose steps all weigh 0 does not count.
public func weightedMean(_ x: [Double], masks: [Double], episodes: Int, steps: Int,
                         stepWeights: [Double]? = nil) -> Double {
  guard episodes > 0, steps > 0 else { return 0 }
  var total = 0.0, counted = 0.0
  for b in 0..<episodes {
    var s = 0.0, n = 0.0, w = 0.0
    for t in 0..<steps where b * steps + t < min(x.count, masks.count) {
      let i = b * steps + t
      let weight = masks[i] * (stepWeights.map { i < $0.count ? $0[i] : 1 } ?? 1)
      s += x[i] * weight
      w += weight
      n += masks[i]
    }
    if n > 0 { total += s / n; counted += w / n }
  }
  return counted == 0 ? 0 : total / counted
}

func checkPadded(_ op: String, _ episodes: Int, _ steps: Int, _ arrays: KeyValuePairs<String, [Double]>) throws {
  guard episodes >= 0, steps >= 0 else {
    throw RLError(.invalidArgument, op, "episodes and steps must be >= 0, got \(episodes) and \(steps)")
  }
  for (name, a) in arrays where a.count != episodes * steps {
    throw RLError(.shapeMismatch, op, "\(name) has \(a.count) entries, expected \(episodes) × \(steps)")
  }
}

func checkDiscount(_ op: String, _ discount: Double) throws {
  guard discount >= 0, discount <= 1 else {
    throw RLError(.invalidArgument, op, "discount must be in [0, 1], got \(discount)")
  }
}
