#if canImport(Glibc)
import Glibc
#endif
import HMTensor

/// The action distributions π(· | o) of one policy at M observations: what the policy metrics
/// of Algorithm 1 compare between adapted policies.
public enum ActionDistributions: Sendable, Equatable {
  /// Categorical: probabilities `[M * actionCount]`, each row summing to 1.
  case categorical(probabilities: [Double], actionCount: Int)
  /// Diagonal Gaussian: means `[M * d]`, one log standard deviation per dimension `[d]` (the
  /// state-independent σ of ``GaussianMLPPolicy``).
  case gaussian(means: [Double], logStd: [Double])

  /// M, the number of observations.
  public var count: Int {
    switch self {
    case .categorical(let p, let a): return a == 0 ? 0 : p.count / a
    case .gaussian(let m, let s): return s.isEmpty ? 0 : m.count / s.count
    }
  }
}

/// A stochastic policy whose action distribution can be read at any observation.
public protocol DistributionalPolicy: StochasticPolicy {
  /// π_θ(· | o) for every row of `observations` `[M, observationSize]`; no graph is recorded.
  /// - Throws: `RLError` for wrong shapes or non-finite outputs.
  func actionDistributions(_ observations: Tensor, parameters: ParameterList) throws -> ActionDistributions
}

extension CategoricalMLPPolicy: DistributionalPolicy {
  public func actionDistributions(_ observations: Tensor, parameters: ParameterList) throws -> ActionDistributions {
    let op = "categoricalMLPPolicy.actionDistributions"
    let (l, _) = try logits(observations.detached(), parameters.detached(), op)
    return try categoricalDistributions(logits: l, actionCount: actionCount, op)
  }
}

extension TabularSoftmaxPolicy: DistributionalPolicy {
  public func actionDistributions(_ observations: Tensor, parameters: ParameterList) throws -> ActionDistributions {
    let op = "tabularSoftmaxPolicy.actionDistributions"
    let (l, _) = try logits(observations.detached(), parameters.detached(), op)
    return try categoricalDistributions(logits: l, actionCount: actionCount, op)
  }
}

extension GaussianMLPPolicy: DistributionalPolicy {
  public func actionDistributions(_ observations: Tensor, parameters: ParameterList) throws -> ActionDistributions {
    let op = "gaussianMLPPolicy.actionDistributions"
    let (mean, logStd, _) = try distribution(observations.detached(), parameters.detached(), op)
    let m = mean.toArray(), s = logStd.toArray()
    guard m.allSatisfy(\.isFinite), s.allSatisfy(\.isFinite) else {
      throw RLError(.numerical, op, "the policy's mean or log standard deviation is not finite")
    }
    return .gaussian(means: m, logStd: s)
  }
}

/// softmax(logits) row by row in float64.
func categoricalDistributions(logits: Tensor, actionCount: Int, _ op: String) throws -> ActionDistributions {
  let p = try policyCall(op) { try logits.to(.float64).softmax(axis: -1).toArray() }
  guard p.allSatisfy(\.isFinite) else { throw RLError(.numerical, op, "the policy's logits are not finite") }
  return .categorical(probabilities: p, actionCount: actionCount)
}

/// sqrt J(π_a(· | o_m), π_b(· | o_m)) in nats for observation m of both tables (the note's §II
/// distance; Def. 2–4 average or sum it over states).
///
/// Categorical rows use the exact Jensen–Shannon divergence. For Gaussians J has no closed form;
/// it is replaced by the note's tighter closed-form bound J ≤ ln(2 / (1 + e^(−S))) with S the
/// symmetric KL (§IV.C): like J it is 0 exactly for equal distributions and saturates at ln 2.
/// - Precondition: both tables come from the same policy (same kind and sizes).
/// - Complexity: O(A) (categorical) or O(d) (Gaussian).
@inline(__always)
func jensenShannonDistance(_ a: ActionDistributions, _ m: Int, _ b: ActionDistributions, _ n: Int) -> Double {
  switch (a, b) {
  case let (.categorical(p, k), .categorical(q, _)):
    let j = p.withUnsafeBufferPointer { pp in
      q.withUnsafeBufferPointer { qq -> Double in
        guard let pb = pp.baseAddress, let qb = qq.baseAddress else { return 0 }
        return jensenShannonKernel(pb + m * k, qb + n * k, count: k)
      }
    }
    return j.squareRoot()
  case let (.gaussian(mu1, s1), .gaussian(mu2, s2)):
    // S = ½ Σ_d [ r − 1 − ln r + Δ²/σ₂² ]/2 + (the same with 1 and 2 swapped), r = σ₁²/σ₂².
    let d = s1.count
    var symmetric = 0.0
    for k in 0..<d {
      let v1 = exp(2 * s1[k]), v2 = exp(2 * s2[k])
      let delta = mu1[m * d + k] - mu2[n * d + k]
      let r = v1 / v2
      symmetric += 0.25 * ((r - 1) - log1p(r - 1) + delta * delta / v2)
      symmetric += 0.25 * ((1 / r - 1) - log1p(1 / r - 1) + delta * delta / v1)
    }
    let bound = log(2 / (1 + exp(-symmetric)))
    return max(0, bound).squareRoot()
  default:
    return .nan
  }
}
