import HMTensor

/// Returns, baseline and advantages of a ``Batch`` with the settings of DESIGN.md §5.
public struct BatchAdvantages {
  /// Discounted returns, `[B, T]`.
  public let returns: [Double]
  /// The fitted baseline, `[B, T]`.
  public let baseline: LinearFeatureBaseline.Fit
  /// GAE(λ) advantages, normalised when requested, `[B, T]` (0 on padding).
  public let advantages: [Double]

  /// The advantages as a tensor `[B, T]` in `dtype`.
  public func advantageTensor(episodes: Int, steps: Int, dtype: DType = .float32) throws -> Tensor {
    try Tensor(advantages, shape: [episodes, steps], dtype: dtype)
  }
}

extension Batch {
  /// Discounted returns, the linear feature baseline fitted on this batch, GAE(λ) and (by
  /// default) pytorch-maml-rl's weighted normalisation. A failed baseline fit does not throw:
  /// its zero baseline and ``LinearFeatureBaseline/Fit/warning`` are in the result.
  /// - Parameter stepWeights: optional weights ≥ 0 of the steps in the baseline fit and the
  ///   normalisation, `[B, T]` (guided training's importance weights); nil: every step counts 1.
  /// - Throws: `RLError` for γ or λ outside [0, 1], or step weights of the wrong size.
  public func advantages(discount: Double = 0.99, lambda: Double = 1, normalize: Bool = true,
                         baseline: LinearFeatureBaseline = LinearFeatureBaseline(),
                         stepWeights: [Double]? = nil) throws -> BatchAdvantages {
    let b = episodeCount, t = horizon
    let rewards = self.rewards.toArray(), masks = self.masks.toArray()
    let returns = try discountedReturns(rewards: rewards, masks: masks, episodes: b, steps: t, discount: discount)
    let fit = try baseline.fit(observations: observations.toArray(), returns: returns, masks: masks,
                               episodes: b, steps: t, observationSize: observationSize, stepWeights: stepWeights)
    var adv = try generalizedAdvantages(rewards: rewards, values: fit.values, masks: masks, episodes: b, steps: t,
                                        discount: discount, lambda: lambda)
    if normalize { adv = try normalizeAdvantages(adv, masks: masks, episodes: b, steps: t, stepWeights: stepWeights) }
    return BatchAdvantages(returns: returns, baseline: fit, advantages: adv)
  }
}
