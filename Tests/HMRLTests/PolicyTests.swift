import Foundation
import Testing
import HMTensor
@testable import HMRL

/// Σ logπ(a|o) as a function of the flat parameter vector, and its gradient by autodiff.
func checkLogProbGradient<P: StochasticPolicy>(_ policy: P, observations: Tensor, actions: Tensor,
                                               seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws {
  var rng = RandomStream(seed: seed)
  var theta = try policy.initialParameters(using: &rng)
  // Move away from the zero-bias / zero-logit initialisation so every derivative is exercised.
  theta = try theta.replacing(theta.tensors.map { t in try t + Tensor.normal(t.shape, std: 0.3, dtype: .float64, using: &rng) })
  let vars = theta.variables()
  let loss = try policy.logProb(observations, actions, parameters: vars).sum()
  let grads = try gradients(of: loss, wrt: vars.tensors)
  let flat = try theta.flattened().toArray()
  let analytic = grads.flatMap { $0.toArray() }
  let h = 1e-6
  for i in stride(from: 0, to: flat.count, by: max(1, flat.count / 40)) {
    var plus = flat, minus = flat
    plus[i] += h
    minus[i] -= h
    let fp = try policy.logProb(observations, actions, parameters: theta.unflattened(Tensor(plus, shape: [flat.count], dtype: .float64))).sum().toArray()[0]
    let fm = try policy.logProb(observations, actions, parameters: theta.unflattened(Tensor(minus, shape: [flat.count], dtype: .float64))).sum().toArray()[0]
    let numeric = (fp - fm) / (2 * h)
    #expect(abs(numeric - analytic[i]) <= 1e-5 * max(1, abs(numeric)),
            "parameter \(i): autodiff \(analytic[i]) vs finite differences \(numeric)", sourceLocation: sourceLocation)
  }
}

@Suite struct PolicyTests {
  @Test func gaussianLogProbGradientMatchesFiniteDifferences() throws {
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [5, 4], dtype: .float64)
    var rng = RandomStream(seed: 3)
    let obs = try Tensor.normal([3, 4, 2], dtype: .float64, using: &rng)
    let act = try Tensor.normal([3, 4, 2], dtype: .float64, using: &rng)
    try checkLogProbGradient(policy, observations: obs, actions: act, seed: 1)
  }

  @Test func categoricalLogProbGradientMatchesFiniteDifferences() throws {
    let policy = try CategoricalMLPPolicy(observationSize: 3, actionCount: 4, hidden: [5], dtype: .float64)
    var rng = RandomStream(seed: 4)
    let obs = try Tensor.normal([6, 3], dtype: .float64, using: &rng)
    let act = try Tensor([0, 1, 2, 3, 1, 0], shape: [6, 1], dtype: .float64)
    try checkLogProbGradient(policy, observations: obs, actions: act, seed: 2)
    let tab = try TabularSoftmaxPolicy(stateCount: 3, actionCount: 2, dtype: .float64)
    let oneHot = try Tensor.oneHot(Tensor([0, 2, 1, 2], shape: [4], dtype: .float64), depth: 3, dtype: .float64)
    try checkLogProbGradient(tab, observations: oneHot, actions: Tensor([1, 0, 1, 1], shape: [4, 1], dtype: .float64), seed: 3)
  }

  @Test func gaussianLogProbAndEntropyClosedForm() throws {
    let (policy, theta) = try zeroMeanGaussian(logStd: log(2.0))
    let obs = try Tensor([0.3, -0.1], shape: [1, 2])
    let act = try Tensor([1.0, -2.0], shape: [1, 2])
    let lp = try policy.logProb(obs, act, parameters: theta).toArray()[0]
    let expected = -0.5 * (0.25 + 1.0) - 2 * log(2.0) - log(2 * Double.pi)
    #expect(abs(lp - expected) < 1e-5)
    let h = try policy.entropy(try Tensor.zeros([4, 2]), parameters: theta)
    #expect(h.shape == [4])
    #expect(abs(h.toArray()[0] - (2 * log(2.0) + (1 + log(2 * Double.pi)))) < 1e-5)
    #expect(try policy.greedyAction(obs, parameters: theta).toArray() == [0, 0])
  }

  @Test func secondOrderThroughAnInnerStep() throws {
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [4], dtype: .float64)
    var rng = RandomStream(seed: 6)
    let theta = try policy.initialParameters(using: &rng).variables()
    let obs = try Tensor.normal([5, 2], dtype: .float64, using: &rng)
    let act = try Tensor.normal([5, 2], dtype: .float64, using: &rng)
    let inner = try -policy.logProb(obs, act, parameters: theta).mean()
    let g = try gradients(of: inner, wrt: theta.tensors, createGraph: true)
    let adapted = try theta.zipMap(g) { try $0 - 0.1 * $1 }
    let outer = try -policy.logProb(obs, act, parameters: adapted).mean()
    let meta = try gradients(of: outer, wrt: theta.tensors)
    #expect(meta.count == theta.count)
    #expect(meta.allSatisfy { $0.toArray().allSatisfy(\.isFinite) })
  }

  @Test func categoricalSamplingFollowsTheProbabilities() throws {
    let policy = try TabularSoftmaxPolicy(stateCount: 1, actionCount: 3, dtype: .float64)
    let theta = try ParameterList([("logits", try Tensor([0, log(2.0), log(3.0)], shape: [1, 3], dtype: .float64))])
    var rng = RandomStream(seed: 1)
    let obs = try Tensor.ones([6000, 1], dtype: .float64)
    let s = try policy.sample(obs, parameters: theta, using: &rng)
    #expect(s.actions.shape == [6000, 1])
    let counts = (0..<3).map { k in s.actions.toArray().filter { $0 == Double(k) }.count }
    for (k, c) in counts.enumerated() {
      #expect(abs(Double(c) / 6000 - Double(k + 1) / 6) < 0.025, "action \(k): \(c)")
    }
    let again = try policy.sample(obs, parameters: theta, using: &rng)
    #expect(again.actions.toArray() != s.actions.toArray())
    let table = try policy.tabularPolicy(parameters: theta)
    #expect(abs(table.probabilities[2] - 0.5) < 1e-12)
    #expect(try policy.greedyAction(obs.slice(axis: 0, 0, 2), parameters: theta).toArray() == [2, 2])
    let h = try policy.entropy(obs.slice(axis: 0, 0, 1), parameters: theta).toArray()[0]
    #expect(abs(h - -(1.0 / 6 * log(1.0 / 6) + 1.0 / 3 * log(1.0 / 3) + 0.5 * log(0.5))) < 1e-12)
  }

  @Test func badInputIsATypedError() throws {
    let cat = try CategoricalMLPPolicy(observationSize: 2, actionCount: 3, hidden: [4])
    var rng = RandomStream(seed: 1)
    let theta = try cat.initialParameters(using: &rng)
    let obs = try Tensor.zeros([2, 2])
    expectRLError(.outOfRange, containing: "action 3.0 is out of range") {
      try cat.logProb(obs, Tensor([0, 3], shape: [2, 1]), parameters: theta)
    }
    expectRLError(.outOfRange, containing: "out of range") {
      try cat.logProb(obs, Tensor([0, 0.5], shape: [2, 1]), parameters: theta)
    }
    expectRLError(.shapeMismatch, containing: "observations have shape [2, 3]") {
      try cat.logProb(Tensor.zeros([2, 3]), Tensor([0, 1], shape: [2, 1]), parameters: theta)
    }
    expectRLError(.shapeMismatch, containing: "actions have shape") {
      try cat.logProb(obs, Tensor([0, 1], shape: [2]), parameters: theta)
    }
    let gauss = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [4])
    expectRLError(.shapeMismatch, containing: "expected 5 parameters") {
      try gauss.logProb(obs, obs, parameters: theta)
    }
    let gTheta = try gauss.initialParameters(using: &rng)
    expectRLError(.shapeMismatch, containing: "actions have shape") {
      try gauss.logProb(obs, Tensor.zeros([2, 3]), parameters: gTheta)
    }
    var streams = [RandomStream(seed: 1)]
    expectRLError(.shapeMismatch, containing: "random streams") {
      try gauss.sample(obs, parameters: gTheta, streams: &streams)
    }
    expectRLError(.invalidArgument, containing: "layer sizes") {
      try GaussianMLPPolicy(observationSize: 0, actionSize: 2)
    }
  }

  @Test func initialisationIsXavierUniformWithZeroBiases() throws {
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [100, 100])
    var rng = RandomStream(seed: 1)
    let theta = try policy.initialParameters(using: &rng)
    #expect(theta.names == ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias", "mean.weight", "mean.bias", "log_std"])
    let bound = (6.0 / 200).squareRoot()
    let w = theta[2].toArray()
    #expect(w.allSatisfy { abs($0) <= bound } && (w.max() ?? 0) > 0.9 * bound)
    #expect(theta[1].toArray().allSatisfy { $0 == 0 } && theta[6].toArray() == [0, 0])
  }
}
