#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import HMRL
import HMTestSupport

/// Per-decision truncated importance weights (V-trace), self-normalisation and ESS.
struct ImportanceWeightsTests {
  @Test func onPolicyDataWeighsExactlyOne() throws {
    let logp: [[Double]] = [[-1.3, -0.2, -2.5], [-0.7], [-4, -1e-9]]
    // (Caps ≥ 1: a cap c̄ < 1 would shrink even on-policy weights, to c̄ᵗ.)
    for (rho, c) in [(1.0, 1.0), (Double.infinity, .infinity), (2, 1)] {
      let iw = try ImportanceWeights(currentLogProbs: logp, behaviourLogProbs: logp, rhoBar: rho, cBar: c)
      #expect(iw.weights.joined().allSatisfy { $0 == 1 })
      #expect(iw.selfNormalized().joined().allSatisfy { $0 == 1 })
      #expect(iw.meanWeight == 1)
      expectRelative(iw.effectiveSampleSize, 6, 1e-15, "ESS")
      expectRelative(iw.relativeEffectiveSampleSize, 1, 1e-15, "ESS/n")
    }
  }

  @Test func twoStepHandExample() throws {
    // Ratios 2 and 0.5.
    let behaviour: [[Double]] = [[log(0.25), log(0.5)]]
    let current: [[Double]] = [[log(0.5), log(0.25)]]
    let truncated = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour)
    expectClose(truncated.weights[0], [1, 0.5], rtol: 1e-15)            // ρ₀ = min(1, 2); c₀ρ₁ = 1·0.5
    let untruncated = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour,
                                            rhoBar: .infinity, cBar: .infinity)
    expectClose(untruncated.weights[0], [2, 1], rtol: 1e-15)            // 2; 2·0.5
    // Only the earlier ratio capped (c̄ = 1, ρ̄ = ∞): w = [2, 1·0.5].
    let mixed = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour, rhoBar: .infinity, cBar: 1)
    expectClose(mixed.weights[0], [2, 0.5], rtol: 1e-15)
    // Self-normalised: divided by the mean 0.75 (truncated), 1.5 (untruncated).
    expectClose(truncated.selfNormalized()[0], [4.0 / 3, 2.0 / 3], rtol: 1e-14)
    expectClose(untruncated.selfNormalized()[0], [4.0 / 3, 2.0 / 3], rtol: 1e-14)
    expectRelative(truncated.meanWeight, 0.75, 1e-14, "mean weight")
    // ESS = (1 + 0.5)² / (1 + 0.25) = 1.8.
    expectRelative(truncated.effectiveSampleSize, 1.8, 1e-14, "ESS")
    expectRelative(truncated.relativeEffectiveSampleSize, 0.9, 1e-14, "ESS/n")
  }

  /// Per-step weights keep each step's own truncated ratio only: the first step's small ratio
  /// does not carry to the second.
  @Test func perStepWeightsIgnoreEarlierDecisions() throws {
    // Ratios 0.5 then 2.
    let behaviour: [[Double]] = [[log(0.5), log(0.25)]]
    let current: [[Double]] = [[log(0.25), log(0.5)]]
    let perDecision = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour)
    expectClose(perDecision.weights[0], [0.5, 0.5], rtol: 1e-15)       // ρ₀ = 0.5; c₀ρ₁ = 0.5·1
    let perStep = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour, perDecision: false)
    expectClose(perStep.weights[0], [0.5, 1], rtol: 1e-15)             // ρ₀; ρ₁ = min(1, 2)
    let uncapped = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour,
                                         rhoBar: .infinity, cBar: .infinity, perDecision: false)
    expectClose(uncapped.weights[0], [0.5, 2], rtol: 1e-15)
  }

  @Test func selfNormalisedWeightsAverageOne() throws {
    var rng = SplitMix64(seed: 5)
    let current = (0..<7).map { n in (0...n).map { _ in Double.random(in: -3...0, using: &rng) } }
    let behaviour = current.map { $0.map { _ in Double.random(in: -3...0, using: &rng) } }
    for (rho, c) in [(1.0, 1.0), (Double.infinity, .infinity), (2, 1)] {
      let iw = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour, rhoBar: rho, cBar: c)
      let w = Array(iw.selfNormalized().joined())
      expectRelative(w.reduce(0, +) / Double(w.count), 1, 1e-12, "mean normalised weight")
      // ESS is the same before and after normalisation, and in [1, n].
      let raw = Array(iw.weights.joined())
      let ess = pow(raw.reduce(0, +), 2) / raw.map { $0 * $0 }.reduce(0, +)
      expectRelative(iw.effectiveSampleSize, ess, 1e-12, "ESS")
      #expect(iw.effectiveSampleSize >= 1 && iw.effectiveSampleSize <= Double(w.count) * (1 + 1e-12))
    }
  }

  @Test func mixtureNormalisationIncludesTheOnPolicySteps() throws {
    let behaviour: [[Double]] = [[log(0.25), log(0.5)]]
    let current: [[Double]] = [[log(0.5), log(0.25)]]
    let iw = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour)   // w = [1, 0.5]
    // 4 on-policy steps (weight 1) + [1, 0.5]: mean (4 + 1.5)/6, so everything × 6/5.5.
    let (off, on) = iw.selfNormalized(alongside: 4)
    expectClose(off[0], [6 / 5.5, 0.5 * 6 / 5.5], rtol: 1e-14)
    expectRelative(on, 6 / 5.5, 1e-14, "on-policy weight")
    // No on-policy steps: the same as normalising the buffer alone.
    expectClose(iw.selfNormalized(alongside: 0).offPolicy[0], iw.selfNormalized()[0], rtol: 1e-14)
    // Its failure twin, the degenerate case it exists for: weights that all but vanish. Alone they
    // are normalised back up to mean 1 (one step takes the weight of all); with on-policy steps
    // they stay negligible and the on-policy steps weigh (m + n)/m at most.
    let vanished = try ImportanceWeights(currentLogProbs: [[-700, -700, -700]], behaviourLogProbs: [[0, 0, 0]])
    #expect(vanished.selfNormalized()[0][0] > 2)
    let (v, onV) = vanished.selfNormalized(alongside: 20)
    #expect(v[0].allSatisfy { $0 < 1e-300 })
    expectRelative(onV, 23.0 / 20, 1e-12, "on-policy weight")
  }

  @Test func hugeLogRatiosStayFinite() throws {
    let behaviour: [[Double]] = [[-900, -1, -1], [-1, -1]]
    let current: [[Double]] = [[-100, -801, -1], [-801, -1]]        // ℓ = +800, −800, 0; −800, 0
    for (rho, c) in [(1.0, 1.0), (Double.infinity, .infinity)] {
      let iw = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour, rhoBar: rho, cBar: c)
      let w = Array(iw.selfNormalized().joined())
      #expect(w.allSatisfy { $0.isFinite }, "\(w)")
      expectRelative(w.reduce(0, +), 5, 1e-12, "Σ normalised weights")
      #expect(iw.effectiveSampleSize.isFinite && iw.effectiveSampleSize >= 1)
      #expect(iw.logWeights.joined().allSatisfy { $0.isFinite })
    }
    // Untruncated, e^800 dominates: all the mass on step 0 and ESS ≈ 1.
    let iw = try ImportanceWeights(currentLogProbs: current, behaviourLogProbs: behaviour, rhoBar: .infinity, cBar: .infinity)
    expectRelative(iw.selfNormalized()[0][0], 5, 1e-15, "the dominant weight")
    expectRelative(iw.effectiveSampleSize, 1, 1e-12, "ESS")
    #expect(iw.meanWeight == .infinity)                                // e^800/5 overflows: documented
  }

  @Test func zeroProbabilityAndEmptyCases() throws {
    // The current policy gives the first action probability 0: every weight 0.
    let iw = try ImportanceWeights(currentLogProbs: [[-.infinity, -1]], behaviourLogProbs: [[-1, -1]])
    #expect(iw.weights[0] == [0, 0] && iw.selfNormalized()[0] == [0, 0])
    #expect(iw.effectiveSampleSize == 0 && iw.meanWeight == 0)
    let empty = try ImportanceWeights(currentLogProbs: [], behaviourLogProbs: [])
    #expect(empty.effectiveSampleSize == 0 && empty.meanWeight.isNaN && empty.selfNormalized().isEmpty)
  }

  @Test func invalidInputsThrow() {
    expectRLError(.numerical, containing: "behaviour log-probability -inf") {
      try ImportanceWeights(currentLogProbs: [[-1]], behaviourLogProbs: [[-.infinity]])
    }
    expectRLError(.numerical, containing: "current log-probability nan") {
      try ImportanceWeights(currentLogProbs: [[.nan]], behaviourLogProbs: [[-1]])
    }
    expectRLError(.numerical, containing: "behaviour log-probability nan") {
      try ImportanceWeights(currentLogProbs: [[-1]], behaviourLogProbs: [[.nan]])
    }
    expectRLError(.shapeMismatch, containing: "trajectory 0 has 2 current") {
      try ImportanceWeights(currentLogProbs: [[-1, -1]], behaviourLogProbs: [[-1]])
    }
    expectRLError(.invalidArgument, containing: "must be > 0") {
      try ImportanceWeights(currentLogProbs: [[-1]], behaviourLogProbs: [[-1]], rhoBar: 0)
    }
    expectRLError(.invalidArgument, containing: "must be > 0") {
      try ImportanceWeights(currentLogProbs: [[-1]], behaviourLogProbs: [[-1]], cBar: .nan)
    }
  }
}
