import Foundation
import Testing
@testable import HMRL

/// `../shared/fixtures/divergences.json` (scipy + mpmath), relative to the repository root.
private func loadDivergenceFixture() -> [String: Any]? {
  let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  let url = root.appendingPathComponent("../shared/fixtures/divergences.json").standardizedFileURL
  guard let data = try? Data(contentsOf: url) else {
    Issue.record("fixture missing: \(url.path) — divergence fixture tests did not run")
    return nil
  }
  do {
    return try JSONSerialization.jsonObject(with: data) as? [String: Any]
  } catch {
    Issue.record("fixture \(url.path) is not valid JSON: \(error)")
    return nil
  }
}

/// A fixture number: JSON numbers, or the string "inf" for +infinity.
private func number(_ any: Any?) -> Double? {
  if let d = any as? Double { return d }
  if let n = any as? NSNumber { return n.doubleValue }
  if let s = any as? String, s == "inf" { return .infinity }
  return nil
}

private func vector(_ any: Any?) -> [Double] { (any as? [Any] ?? []).compactMap(number) }

@Suite struct DivergenceFixtureTests {
  @Test func discreteCasesMatchScipyAndMpmath() throws {
    guard let fixture = loadDivergenceFixture() else { return }
    let cases = fixture["discrete"] as? [[String: Any]] ?? []
    #expect(cases.count >= 20, "expected the fixture's discrete cases, got \(cases.count)")
    for c in cases {
      let label = c["label"] as? String ?? "?"
      let p = vector(c["p"]), q = vector(c["q"])
      guard let klPQ = number(c["kl_pq"]), let klQP = number(c["kl_qp"]), let js = number(c["js"]),
            let sqrtJS = number(c["sqrt_js"]), let sumJ = number(c["symmetric_kl_sum_J"]),
            let meanS = number(c["symmetric_kl_mean_S"]), let halfS = number(c["bound_half_S"]),
            let logS = number(c["bound_log_S"]), let halfJ = number(c["bound_half_J"]),
            let logJ = number(c["bound_log_J"])
      else { Issue.record("\(label): malformed case"); continue }
      expectRelative(try kullbackLeibler(p, q), klPQ, 1e-12, "\(label) KL(p||q)")
      expectRelative(try kullbackLeibler(q, p), klQP, 1e-12, "\(label) KL(q||p)")
      expectRelative(try jensenShannon(p, q), js, 1e-12, "\(label) JS")
      expectRelative(try jensenShannon(q, p), js, 1e-12, "\(label) JS symmetric")
      expectRelative(try jensenShannonDistance(p, q), sqrtJS, 1e-12, "\(label) sqrt JS")
      let s = try symmetricKullbackLeibler(p, q)
      expectRelative(s, meanS, 1e-12, "\(label) S")
      expectRelative(2 * s, sumJ, 1e-12, "\(label) Jeffreys = 2S")
      let bounds = try JensenShannonBounds(p, q)
      expectRelative(bounds.halfSymmetric, halfS, 1e-12, "\(label) S/2 bound")
      expectRelative(bounds.logarithmic, logS, 1e-12, "\(label) log bound")
      let loose = try JensenShannonBounds(symmetricKullbackLeiblerNats: 2 * s)
      expectRelative(loose.halfSymmetric, halfJ, 1e-12, "\(label) Jeffreys/2 bound")
      expectRelative(loose.logarithmic, logJ, 1e-12, "\(label) log bound on Jeffreys")
      let j = try jensenShannon(p, q)
      #expect(j <= bounds.logarithmic * (1 + 1e-12) + 1e-300, "\(label): log bound violated")
      #expect(bounds.logarithmic <= bounds.halfSymmetric * (1 + 1e-12), "\(label): log bound looser")
      // Base 2 is the same value in bits.
      expectRelative(try jensenShannon(p, q, base: .two), js / log(2), 1e-12, "\(label) JS bits")
      // The batched path agrees with the single-pair path bit for bit.
      let rows = try categoricalDivergenceRows(.jensenShannon, p: p + q, q: q + p, rowCount: 2,
                                               rowLength: p.count)
      #expect(rows == [j, try jensenShannon(q, p)], "\(label): batched JS differs")
    }
  }

  @Test func gaussianClosedFormsMatchScipy() throws {
    guard let fixture = loadDivergenceFixture() else { return }
    let cases = fixture["gaussian"] as? [[String: Any]] ?? []
    #expect(cases.count >= 10)
    var generator = SplitMix64(seed: 20_260_125)
    for c in cases {
      let label = c["label"] as? String ?? "?"
      let p = try gaussian(c["p"], diagonal: (c["covariance"] as? String) == "diagonal")
      let q = try gaussian(c["q"], diagonal: (c["covariance"] as? String) == "diagonal")
      guard let klPQ = number(c["kl_pq_closed_form"]), let klQP = number(c["kl_qp_closed_form"]),
            let meanS = number(c["symmetric_kl_mean_S"]), let halfS = number(c["bound_half_S"]),
            let logS = number(c["bound_log_S"]), let jsMC = number(c["js_mc"]),
            let jsSE = number(c["js_mc_se"])
      else { Issue.record("\(label): malformed case"); continue }
      expectRelative(try kullbackLeibler(p, q), klPQ, 1e-12, "\(label) KL(p||q)")
      expectRelative(try kullbackLeibler(q, p), klQP, 1e-12, "\(label) KL(q||p)")
      let s = try symmetricKullbackLeibler(p, q)
      expectRelative(s, meanS, 1e-12, "\(label) S")
      let bounds = try JensenShannonBounds(symmetricKullbackLeiblerNats: s)
      expectRelative(bounds.halfSymmetric, halfS, 1e-12, "\(label) S/2")
      expectRelative(bounds.logarithmic, logS, 1e-12, "\(label) log bound")
      // The full-covariance code path on a diagonal case must agree with the diagonal path.
      if case .diagonal(let v) = p.covariance, case .diagonal(let w) = q.covariance {
        let pf = try GaussianDistribution(mean: p.mean, covariance: .full(dense(v)))
        let qf = try GaussianDistribution(mean: q.mean, covariance: .full(dense(w)))
        expectRelative(try kullbackLeibler(pf, qf), klPQ, 1e-12, "\(label) KL full path")
      }
      // The fixture's own Monte-Carlo KL estimates bracket our closed forms.
      if let mc = number(c["kl_pq_mc"]), let se = number(c["kl_pq_mc_se"]) {
        expectWithinStandardErrors(try kullbackLeibler(p, q), mc, standardError: se, z: 4, "\(label) KL(p||q) vs fixture MC")
      }
      if let mc = number(c["kl_qp_mc"]), let se = number(c["kl_qp_mc_se"]) {
        expectWithinStandardErrors(try kullbackLeibler(q, p), mc, standardError: se, z: 4, "\(label) KL(q||p) vs fixture MC")
      }
      let estimate = try jensenShannon(p, q, samples: 100_000, using: &generator)
      let se = (estimate.standardError * estimate.standardError + jsSE * jsSE).squareRoot()
      expectWithinStandardErrors(estimate.value, jsMC, standardError: se, z: 4, "\(label) MC JS")
      #expect(estimate.value <= bounds.logarithmic + 4 * estimate.standardError)
    }
  }

  private func dense(_ v: [Double]) -> [[Double]] {
    (0..<v.count).map { i in (0..<v.count).map { j in i == j ? v[i] : 0 } }
  }

  private func gaussian(_ any: Any?, diagonal: Bool) throws -> GaussianDistribution {
    let d = any as? [String: Any] ?? [:]
    let mean = vector(d["mean"])
    let cov = (d["cov"] as? [Any] ?? []).map(vector)
    if diagonal {
      return try GaussianDistribution(mean: mean, covariance: .diagonal(cov.enumerated().map { $0.element[$0.offset] }))
    }
    return try GaussianDistribution(mean: mean, covariance: .full(cov))
  }
}
