import Testing
import HMTestSupport
import HMTensor
@testable import HMRL

@Suite struct ReturnsTests {
  let rewards: [Double] = [1, 2, 3, 4, 5, 6, 0, 0]
  let masks: [Double] = [1, 1, 1, 1, 1, 1, 0, 0]

  @Test func discountedReturnsRespectMasks() throws {
    let r = try discountedReturns(rewards: rewards, masks: masks, episodes: 2, steps: 4, discount: 0.5)
    let expected: [Double] = [3.25, 4.5, 5, 4, 8, 6, 0, 0]
    #expect(r == expected)
  }

  @Test func gaeWithLambdaOneIsReturnsMinusBaseline() throws {
    let values: [Double] = [0.3, -1, 2, 0.7, 1.5, 0.2, 9, 9]
    let adv = try generalizedAdvantages(rewards: rewards, values: values, masks: masks, episodes: 2, steps: 4,
                                        discount: 0.9, lambda: 1)
    let ret = try discountedReturns(rewards: rewards, masks: masks, episodes: 2, steps: 4, discount: 0.9)
    for i in 0..<8 {
      #expect(abs(adv[i] - (ret[i] - values[i]) * masks[i]) < 1e-12, "step \(i)")
    }
    let td = try generalizedAdvantages(rewards: rewards, values: values, masks: masks, episodes: 2, steps: 4,
                                       discount: 0.9, lambda: 0)
    #expect(abs(td[0] - (1 + 0.9 * -1 - 0.3)) < 1e-12)
    #expect(abs(td[5] - (6 - 0.2)) < 1e-12)
  }

  @Test func normalisationIsWeightedAndMasked() throws {
    let adv = try normalizeAdvantages([1, 2, 3, 4, 5, 6, 7, 8], masks: masks, episodes: 2, steps: 4)
    #expect(adv[6] == 0 && adv[7] == 0)
    #expect(abs(weightedMean(adv, masks: masks, episodes: 2, steps: 4)) < 1e-9)
    #expect(abs(weightedMean(adv.map { $0 * $0 }, masks: masks, episodes: 2, steps: 4) - 1) < 1e-6)
  }

  /// Step weights: all ones change nothing (bit for bit), a weight of 0 drops a step, and a
  /// weight of 2 counts a step twice.
  @Test func stepWeightsWeighTheFitAndTheNormalisation() throws {
    let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8]
    let ones = [Double](repeating: 1, count: 8)
    #expect(weightedMean(x, masks: masks, episodes: 2, steps: 4, stepWeights: ones) == weightedMean(x, masks: masks, episodes: 2, steps: 4))
    #expect(try normalizeAdvantages(x, masks: masks, episodes: 2, steps: 4, stepWeights: ones)
            == normalizeAdvantages(x, masks: masks, episodes: 2, steps: 4))
    // Episode 1 weighing 0: the mean of episode 0 alone.
    #expect(weightedMean(x, masks: masks, episodes: 2, steps: 4, stepWeights: [1, 1, 1, 1, 0, 0, 0, 0]) == 2.5)
    // Weights 1 and 3 on two one-step episodes: (1·10 + 3·20) / 4.
    #expect(weightedMean([10, 20], masks: [1, 1], episodes: 2, steps: 1, stepWeights: [1, 3]) == 17.5)

    // The fit: a weight of 2 on every step of episode 0 is episode 0 sampled twice.
    let (b, t, o) = (2, 5, 1)
    var rng = RandomStream(seed: 9)
    let obs = (0..<(b * t * o)).map { _ in rng.normal() }
    let returns = (0..<(b * t)).map { _ in rng.normal() }
    let m = [Double](repeating: 1, count: b * t)
    let weighted = try LinearFeatureBaseline().fit(observations: obs, returns: returns, masks: m, episodes: b, steps: t,
                                                   observationSize: o, stepWeights: [2, 2, 2, 2, 2, 1, 1, 1, 1, 1])
    let twice = try LinearFeatureBaseline().fit(observations: Array(obs[0..<5]) + obs, returns: Array(returns[0..<5]) + returns,
                                                masks: m + [1, 1, 1, 1, 1], episodes: 3, steps: t, observationSize: o)
    expectClose(weighted.coefficients, twice.coefficients, rtol: 1e-9)
    let unweighted = try LinearFeatureBaseline().fit(observations: obs, returns: returns, masks: m, episodes: b, steps: t, observationSize: o)
    #expect(try LinearFeatureBaseline().fit(observations: obs, returns: returns, masks: m, episodes: b, steps: t,
                                            observationSize: o, stepWeights: [Double](repeating: 1, count: 10)) == unweighted)
    #expect(weighted.coefficients != unweighted.coefficients)
  }

  @Test func linearBaselineFitsALinearReturnExactly() throws {
    let (b, t, o) = (3, 100, 2)
    var rng = RandomStream(seed: 2)
    let obs = (0..<(b * t * o)).map { _ in rng.normal() }
    var masks = [Double](repeating: 1, count: b * t)
    for k in 80..<100 { masks[2 * t + k] = 0 }
    let x = LinearFeatureBaseline.features(observations: obs, masks: masks, episodes: b, steps: t, observationSize: o)
    let w: [Double] = [0.5, -1, 0.25, 2, 3, -4, 1.5, 0.7]
    let y = (0..<(b * t)).map { i in (0..<8).reduce(0.0) { $0 + x[i * 8 + $1] * w[$1] } }
    let fit = try LinearFeatureBaseline().fit(observations: obs, returns: y, masks: masks, episodes: b, steps: t, observationSize: o)
    #expect(fit.warning == nil && fit.ridge == 1e-5)
    // The default ridge biases the fit by O(1e-5); a vanishing ridge recovers it exactly.
    for i in 0..<(b * t) { #expect(abs(fit.values[i] - y[i]) < 1e-4, "step \(i)") }
    let exact = try LinearFeatureBaseline(ridge: 1e-12).fit(observations: obs, returns: y, masks: masks, episodes: b, steps: t, observationSize: o)
    for i in 0..<(b * t) { #expect(abs(exact.values[i] - y[i]) < 1e-8, "step \(i)") }
    for k in 0..<8 { #expect(abs(exact.coefficients[k] - w[k]) < 1e-6) }
    #expect(fit.values[2 * t + 90] == 0)
  }

  @Test func unvisitedOneHotColumnsDoNotChangeTheFit() throws {
    // One-hot observations of 6 states of which only 0 and 2 are visited: the fit equals the fit
    // on those two columns alone, bit for bit, and the other coefficients are exactly 0.
    let episodes = 3, steps = 4
    let visited = [0, 2, 2, 0, 2, 0, 0, 2, 2, 2, 0, 0]
    var full = [Double](repeating: 0, count: episodes * steps * 6), two = [Double](repeating: 0, count: episodes * steps * 2)
    for (i, s) in visited.enumerated() { full[i * 6 + s] = 1; two[i * 2 + (s == 0 ? 0 : 1)] = 1 }
    let returns = (0..<(episodes * steps)).map { 1.5 - 0.1 * Double($0 % steps) + 0.3 * Double(visited[$0]) }
    let masks = [Double](repeating: 1, count: episodes * steps)
    let a = try LinearFeatureBaseline().fit(observations: full, returns: returns, masks: masks, episodes: episodes, steps: steps, observationSize: 6)
    let b = try LinearFeatureBaseline().fit(observations: two, returns: returns, masks: masks, episodes: episodes, steps: steps, observationSize: 2)
    #expect(a.values == b.values)
    for unused in [1, 3, 4, 5, 7, 9, 10, 11] { #expect(a.coefficients[unused] == 0) }
    #expect(a.coefficients[0] == b.coefficients[0] && a.coefficients[2] == b.coefficients[1])
    #expect(a.values.contains { $0 != 0 })
  }

  @Test func linearBaselineFallsBackOnASingularSystem() throws {
    let (b, t) = (2, 3)
    let obs = [Double](repeating: .nan, count: b * t * 2)
    let fit = try LinearFeatureBaseline().fit(observations: obs, returns: [Double](repeating: 1, count: b * t),
                                              masks: [Double](repeating: 1, count: b * t), episodes: b, steps: t, observationSize: 2)
    #expect(fit.values == [Double](repeating: 0, count: b * t))
    #expect(fit.warning?.contains("zero baseline") == true)
    // Collinear features (constant observations) are rescued by the ridge, not a crash.
    let flat = try LinearFeatureBaseline().fit(observations: [Double](repeating: 1, count: b * t * 2),
                                               returns: [1, 2, 3, 4, 5, 6], masks: [Double](repeating: 1, count: b * t),
                                               episodes: b, steps: t, observationSize: 2)
    let finite = flat.values.allSatisfy { $0.isFinite }
    #expect(finite)
    expectRLError(.shapeMismatch, containing: "returns") {
      try LinearFeatureBaseline().fit(observations: obs, returns: [1], masks: [1], episodes: b, steps: t, observationSize: 2)
    }
  }

  @Test func batchAdvantagesEndToEnd() throws {
    let (policy, theta) = try zeroMeanGaussian()
    let task = try Navigation2D(goal: [0.2, 0.1])
    let batch = try sampleBatch(task, policy: policy, parameters: theta, episodes: 10, seed: 1)
    let a = try batch.advantages()
    #expect(a.baseline.warning == nil)
    let finite = a.advantages.allSatisfy { $0.isFinite }
    #expect(a.advantages.count == 1000 && finite)
    let masks = batch.masks.toArray()
    #expect(abs(weightedMean(a.advantages, masks: masks, episodes: 10, steps: 100)) < 1e-9)
    expectRLError(.invalidArgument, containing: "discount") { try batch.advantages(discount: 2) }
  }
}
