import Foundation
import Testing
import HMTensor
@testable import HMRL

@Suite struct FastTanhTests {
  @Test func agreesWithLibmToAFewUlp() {
    var worst: Float = 0
    var xs: [Float] = stride(from: Float(-12), through: 12, by: 0.000_37).map { $0 }
    xs += [0, -0, 1e-30, -1e-30, 1e-8, 0.624_99, 0.625, 0.625_01, 9.0, 9.2, 50, -50, .infinity, -.infinity]
    for chunk in stride(from: 0, to: xs.count, by: 4) {
      var lane = FloatLanes(repeating: 0)
      for j in 0..<min(4, xs.count - chunk) { lane[j] = xs[chunk + j] }
      let y = simdTanh(lane)
      for j in 0..<min(4, xs.count - chunk) {
        let exact = Float(Foundation.tanh(Double(lane[j])))
        let ulp = exact == 0 ? Float.leastNonzeroMagnitude : exact.ulp
        worst = max(worst, abs(y[j] - exact) / ulp)
      }
    }
    #expect(worst <= 6, "worst error \(worst) ulp")
    let nan = simdTanh(FloatLanes(repeating: .nan))
    #expect(nan[0].isNaN)
  }
}

@Suite struct SamplingForwardTests {
  @Test func noGradientForwardMatchesTheTensorForward() throws {
    let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [100, 13])
    var rng = RandomStream(seed: 4)
    let theta = try policy.initialParameters(using: &rng)
    let obs = try Tensor.normal([37, 2], std: 3, using: &rng)
    let fast = try policy.network.evaluateWithoutGradient(obs, parameters: theta).toArray()
    let reference = try policy.network.forward(obs, parameters: theta).toArray()
    #expect(fast.count == reference.count)
    for (a, b) in zip(fast, reference) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
  }
}
