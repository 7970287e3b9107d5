import Foundation
import Testing
@testable import HMRL

@Suite struct DivergenceTests {
  @Test func edgeCases() throws {
    #expect(try kullbackLeibler([1, 0], [0, 1]) == .infinity)
    #expect(try jensenShannon([1, 0], [0, 1]) == log(2))
    #expect(try jensenShannon([1, 0], [0, 1], base: .two) == 1)
    #expect(try jensenShannonDistance([0.3, 0.7], [0.3, 0.7]) == 0)
    #expect(try symmetricKullbackLeibler([1, 0], [0.5, 0.5]) == .infinity)
    let b = try JensenShannonBounds(symmetricKullbackLeiblerNats: .infinity)
    #expect(b.logarithmic == log(2) && b.halfSymmetric == .infinity)
    // Tiny S: the stable form gives S/2 to first order, the naive one 0.
    let tiny = try JensenShannonBounds(symmetricKullbackLeiblerNats: 1e-20)
    #expect(abs(tiny.logarithmic - 0.5e-20) < 1e-33)
    #expect(log(2 / (1 + exp(-1e-20))) == 0)
    // Negative zero is a zero probability; infinities are rejected.
    #expect(try kullbackLeibler([-0.0, 1], [0.5, 0.5]) == log(2))
    #expect(try jensenShannon([-0.0, 1], [0, 1]) == 0)
    expectRLError(.invalidProbability, containing: "p[0] = inf is not a probability") { try jensenShannon([.infinity, 1], [0.5, 0.5]) }
    // Extreme ratios do not overflow: p/q would be +inf.
    let extreme = try kullbackLeibler([0.5, 0.5], [1, 5e-324])
    #expect(extreme.isFinite && abs(extreme - 0.5 * (log(0.5) - log(5e-324)) - 0.5 * log(0.5)) < 1e-12)
  }

  @Test func boundsHoldOnRandomPairs() throws {
    var g = SplitMix64(seed: 3)
    for _ in 0..<2_000 {
      let n = Int.random(in: 2...6, using: &g)
      let p = dirichletOnes(n, using: &g), q = dirichletOnes(n, using: &g)
      let j = try jensenShannon(p, q)
      let bounds = try JensenShannonBounds(p, q)
      #expect(j <= bounds.logarithmic * (1 + 1e-12))
      #expect(bounds.logarithmic <= bounds.halfSymmetric * (1 + 1e-12))
    }
  }

  @Test func batchedRowsWithStrideMatchPairs() throws {
    // Two rows of 2 categories, padded to stride 3.
    let p = [0.5, 0.5, 99, 1, 0, 99], q = [0.25, 0.75, -1, 0, 1, -1]
    let rows = try categoricalDivergenceRows(.kullbackLeibler, p: p, q: q, rowCount: 2, rowLength: 2, rowStride: 3)
    #expect(rows[0] == (try kullbackLeibler([0.5, 0.5], [0.25, 0.75])))
    #expect(rows[1] == .infinity)
    let s = try categoricalDivergenceRows(.symmetricKullbackLeibler, p: p, q: q, rowCount: 2, rowLength: 2, rowStride: 3)
    #expect(s[0] == (try symmetricKullbackLeibler([0.5, 0.5], [0.25, 0.75])))
    let d = try categoricalDivergenceRows(.jensenShannonDistance, p: p, q: q, rowCount: 2, rowLength: 2, rowStride: 3, base: .two)
    #expect(abs(d[1] - 1) < 1e-15)
    #expect(try categoricalDivergenceRows(.jensenShannon, p: [], q: [], rowCount: 0, rowLength: 2).isEmpty)
  }

  @Test func badInputIsATypedError() throws {
    expectRLError(.shapeMismatch, containing: "kullbackLeibler: p has 2 entries but q has 3") {
      try kullbackLeibler([0.5, 0.5], [0.2, 0.3, 0.5])
    }
    expectRLError(.invalidProbability, containing: "jensenShannon: p[1] = -0.5 is not a probability") {
      try jensenShannon([1.5, -0.5], [0.5, 0.5])
    }
    expectRLError(.invalidProbability, containing: "q sums to 0.9") { try jensenShannonDistance([0.5, 0.5], [0.5, 0.4]) }
    expectRLError(.invalidProbability, containing: "is not a probability") { try symmetricKullbackLeibler([.nan, 1], [0.5, 0.5]) }
    expectRLError(.shapeMismatch, containing: "p is empty") { try jensenShannon([], []) }
    expectRLError(.invalidArgument, containing: "symmetric KL must be >= 0") {
      try JensenShannonBounds(symmetricKullbackLeiblerNats: -1)
    }
    expectRLError(.shapeMismatch, containing: "need 5 entries") {
      try categoricalDivergenceRows(.jensenShannon, p: [1, 0, 0, 1], q: [1, 0, 0, 1], rowCount: 2, rowLength: 2, rowStride: 3)
    }
    expectRLError(.invalidProbability, containing: "q row 1 sums to 2") {
      try categoricalDivergenceRows(.jensenShannon, p: [1, 0, 0, 1], q: [1, 0, 1, 1], rowCount: 2, rowLength: 2)
    }
    expectRLError(.shapeMismatch, containing: "rows of length 2") {
      try categoricalDivergenceRows(.jensenShannon, p: [1, 0], q: [1, 0], rowCount: Int.max, rowLength: 2, rowStride: Int.max / 2)
    }
    expectRLError(.invalidArgument, containing: "rowStride >= rowLength") {
      try categoricalDivergenceRows(.jensenShannon, p: [1], q: [1], rowCount: 1, rowLength: 2, rowStride: 1)
    }
    expectRLError(.numerical, containing: "gaussian: covariance is not positive definite") {
      try GaussianDistribution(mean: [0, 0], covariance: .full([[1, 2], [2, 1]]))
    }
    expectRLError(.numerical, containing: "not symmetric") {
      try GaussianDistribution(mean: [0, 0], covariance: .full([[1, 0.5], [0, 1]]))
    }
    expectRLError(.shapeMismatch, containing: "covariance is not 2×2") {
      try GaussianDistribution(mean: [0, 0], covariance: .full([[1]]))
    }
    expectRLError(.invalidArgument, containing: "variance 1 is 0.0") {
      try GaussianDistribution(mean: [0, 0], covariance: .diagonal([1, 0]))
    }
    let a = try GaussianDistribution(mean: [0], covariance: .diagonal([1]))
    let b = try GaussianDistribution(mean: [0, 0], covariance: .diagonal([1, 1]))
    expectRLError(.shapeMismatch, containing: "dimensions 1 and 2") { try kullbackLeibler(a, b) }
    var g = SplitMix64(seed: 1)
    expectRLError(.invalidArgument, containing: "samples must be >= 2") {
      try jensenShannon(a, a, samples: 1, using: &g)
    }
  }

  @Test func gaussianIdentityAndSeededReproducibility() throws {
    let p = try GaussianDistribution(mean: [0.3, -1], covariance: .full([[2, 0.3], [0.3, 0.5]]))
    #expect(try kullbackLeibler(p, p) < 1e-15)
    var g1 = SplitMix64(seed: 9), g2 = SplitMix64(seed: 9)
    let e1 = try jensenShannon(p, p, samples: 100, using: &g1)
    let e2 = try jensenShannon(p, p, samples: 100, using: &g2)
    #expect(e1 == e2)
    #expect(abs(e1.value) < 1e-12)
  }
}
