import HMRL

/// Divergences between distributions in hm (natural log by default): exact for categorical
/// distributions, one pair or many at once; closed form (KL, S) and Monte-Carlo (J) for
/// Gaussians. See docs/metrics.md for the definitions and numerics.
enum DivergencePrimitives {
  /// Categorical distributions: one (a list of numbers) or a batch (a list of lists, or a 2-D tensor).
  enum Distributions {
    case one([Double])
    case batch([[Double]])
  }

  static func distributions(_ v: Value, _ c: NativeCall, _ what: String) throws -> Distributions {
    if let t = TensorConversion.tensor(of: v), t.rank == 2 { return .batch(try RLValues.matrix(v, c, what, ragged: true)) }
    if v.tag == .list, let first = v.listObject.items.first, first.tag == .list || TensorConversion.tensor(of: first) != nil {
      return .batch(try RLValues.matrix(v, c, what, ragged: true))
    }
    return .one(try RLValues.vector(v, c, what))
  }

  static func gaussian(_ v: Value) -> GaussianDistribution? {
    guard v.tag == .object else { return nil }
    return (v.nativeObject.payload as? GaussianBox)?.distribution
  }

  /// Applies a categorical divergence to one pair or row by row to a batch.
  static func categorical(_ c: NativeCall, _ kind: CategoricalDivergence,
                          _ single: ([Double], [Double], LogBase) throws -> Double) throws -> Value {
    let base = try RLValues.base(c, 2)
    switch (try distributions(c[0], c, "p"), try distributions(c[1], c, "q")) {
    case (.one(let p), .one(let q)):
      return Value(try RLValues.run(c) { try single(p, q, base) })
    case (.batch(let p), .batch(let q)):
      guard p.count == q.count else { throw c.error("p has \(p.count) distributions but q has \(q.count)") }
      if let n = p.first?.count, p.allSatisfy({ $0.count == n }), q.allSatisfy({ $0.count == n }) {
        let rows = try RLValues.run(c) {
          try categoricalDivergenceRows(kind, p: p.flatMap { $0 }, q: q.flatMap { $0 }, rowCount: p.count, rowLength: n, base: base)
        }
        return RLValues.list(rows, c.vm)
      }
      return RLValues.list(try zip(p, q).enumerated().map { i, pq in
        do { return try single(pq.0, pq.1, base) } catch let e as RLError { throw c.error("row \(i): \(e.message)") }
      }, c.vm)
    default:
      throw c.error("p and q must both be distributions (lists of numbers) or both batches (lists of lists)")
    }
  }

  static let pq = [ParameterSpec("p", .oneOf([.list, .object("tensor"), .object("gaussian")]), doc: "a distribution, a list of distributions, or a gaussian"),
                   ParameterSpec("q", .oneOf([.list, .object("tensor"), .object("gaussian")]), doc: "the same kind as p"),
                   RLValues.baseParameter]

  static func boundsRecord(js: Double?, s: Double, base: LogBase, _ c: NativeCall) throws -> Value {
    let b = try RLValues.run(c) { try JensenShannonBounds(symmetricKullbackLeiblerNats: s, base: base) }
    return RLValues.record([("js", js.map { Value($0) } ?? .nil), ("symmetric_kl", Value(s * base.fromNats)),
                            ("half_symmetric", Value(b.halfSymmetric)), ("logarithmic", Value(b.logarithmic))], c.vm)
  }

  static let all: [Primitive] = [
    Primitive("kl", pq, returns: "a float (or a list of floats)", category: "divergences",
              doc: "Kullback–Leibler divergence KL(p‖q) = Σᵢ pᵢ ln(pᵢ/qᵢ), in nats (bits with base: 2). +inf when some pᵢ > 0 has qᵢ = 0; 0·ln 0 = 0. Lists of distributions give one value per row; two gaussians give the closed form ½[tr(Σ₁⁻¹Σ₀) + Δᵀ Σ₁⁻¹ Δ − k + ln det Σ₁ − ln det Σ₀]. Distributions must be non-negative and sum to 1 within 1e-9 (they are not renormalised).",
              example: "print(kl([0.5, 0.5], [0.9, 0.1]))\nprint(kl([[1, 0], [0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]], base: 2))  # [1.0, 0.0]") { c in
      if let p = gaussian(c[0]), let q = gaussian(c[1]) {
        let base = try RLValues.base(c, 2)
        return Value(try RLValues.run(c) { try kullbackLeibler(p, q, base: base) })
      }
      return try categorical(c, .kullbackLeibler) { try kullbackLeibler($0, $1, base: $2) }
    },
    Primitive("js", pq + [ParameterSpec("samples", .int, default: .int(10_000), doc: "gaussians: draws from each side"), RLValues.seedParameter],
              returns: "a float (a list for batches; a record {value, std_error, samples} for gaussians)", category: "divergences",
              doc: "Jensen–Shannon divergence J(p, q) = ½KL(p‖m) + ½KL(q‖m), m = (p + q)/2: symmetric, 0 ≤ J ≤ ln 2, and J = ln 2 exactly for disjoint supports. For gaussians, a Monte-Carlo estimate ½E_p[ln p − ln m] + ½E_q[ln q − ln m] with its standard error.",
              example: "print(js([1, 0], [0, 1]) == log(2))  # true\nlet e = js(gaussian([0], [1]), gaussian([1], [1]), samples: 2000, seed: 1)\nprint(e.value > 0, e.std_error < 0.01)  # true true") { c in
      if let p = gaussian(c[0]), let q = gaussian(c[1]) {
        let base = try RLValues.base(c, 2)
        guard (1...100_000_000).contains(c.int(3)) else { throw c.error("samples must be in 1...100000000, got \(c.int(3))") }
        return RLValues.estimate(try RLValues.withGenerator(c, seedIndex: 4) { g in try jensenShannon(p, q, samples: c.int(3), base: base, using: &g) }, c.vm)
      }
      return try categorical(c, .jensenShannon) { try jensenShannon($0, $1, base: $2) }
    },
    Primitive("js_distance", pq, returns: "a float (or a list of floats)", category: "divergences",
              doc: "sqrt J(p, q), the Jensen–Shannon distance: a metric on distributions (Endres–Schindelin), equal to scipy.spatial.distance.jensenshannon. With base: 2 it lies in [0, 1].",
              example: "print(js_distance([1, 0], [0, 1], base: 2))  # 1.0") { c in
      if gaussian(c[0]) != nil { throw c.error("for gaussians, estimate J with js(p, q, samples:) and take its square root") }
      return try categorical(c, .jensenShannonDistance) { try jensenShannonDistance($0, $1, base: $2) }
    },
    Primitive("symmetric_kl", pq, returns: "a float (or a list of floats)", category: "divergences",
              doc: "The symmetric KL divergence S(p, q) = (KL(p‖q) + KL(q‖p))/2 (the mean, half of Jeffreys' divergence; with it the note's bounds J ≤ S/2 and J ≤ ln(2/(1+e^(−S))) are the tight known ones). Closed form for two gaussians.",
              example: "print(symmetric_kl(gaussian([0], [1]), gaussian([1], [1])))  # 0.5") { c in
      if let p = gaussian(c[0]), let q = gaussian(c[1]) {
        let base = try RLValues.base(c, 2)
        return Value(try RLValues.run(c) { try symmetricKullbackLeibler(p, q, base: base) })
      }
      return try categorical(c, .symmetricKullbackLeibler) { try symmetricKullbackLeibler($0, $1, base: $2) }
    },
    Primitive("js_bounds", pq, returns: "a record {js, symmetric_kl, half_symmetric, logarithmic} (a list for batches)", category: "divergences",
              doc: "The note's two upper bounds on J from S: `half_symmetric` = S/2 (Lin 1991) and `logarithmic` = ln(2/(1+e^(−S))) (Crooks 2008, computed stably for tiny S; ln 2 when S = ∞), with J and S. For gaussians `js` is nil (S is exact, J needs sampling: `js`).",
              example: "let b = js_bounds([0.5, 0.5], [0.9, 0.1])\nprint(b.js <= b.logarithmic, b.logarithmic <= b.half_symmetric)  # true true") { c in
      let base = try RLValues.base(c, 2)
      if let p = gaussian(c[0]), let q = gaussian(c[1]) {
        return try boundsRecord(js: nil, s: try RLValues.run(c) { try symmetricKullbackLeibler(p, q) }, base: base, c)
      }
      func one(_ p: [Double], _ q: [Double]) throws -> Value {
        let s = try RLValues.run(c) { try symmetricKullbackLeibler(p, q) }
        return try boundsRecord(js: try RLValues.run(c) { try jensenShannon(p, q, base: base) }, s: s, base: base, c)
      }
      switch (try distributions(c[0], c, "p"), try distributions(c[1], c, "q")) {
      case (.one(let p), .one(let q)): return try one(p, q)
      case (.batch(let p), .batch(let q)):
        guard p.count == q.count else { throw c.error("p has \(p.count) distributions but q has \(q.count)") }
        return c.vm.heap.makeList(try zip(p, q).map { try one($0, $1) })
      default: throw c.error("p and q must both be distributions or both batches")
      }
    },
    Primitive("gaussian", [ParameterSpec("mean", .oneOf([.list, .object("tensor")]), doc: "μ, k numbers"),
                           ParameterSpec("cov", .oneOf([.number, .list, .object("tensor")]), default: .float(1),
                                         doc: "a variance (isotropic), k variances (diagonal), or a k×k symmetric positive-definite matrix")],
              returns: "a gaussian", category: "divergences",
              doc: "A multivariate normal N(μ, Σ) for divergences, Cholesky-factored once. Errors for non-finite means, non-positive variances, or a matrix that is not symmetric positive definite.",
              example: "let g = gaussian([0, 0], [[2, 0.5], [0.5, 1]])\nprint(g.dimension)  # 2") { c in
      let mean = try RLValues.vector(c[0], c, "mean")
      let cov: GaussianDistribution.Covariance
      if c[1].isNumber { cov = .diagonal([Double](repeating: c[1].number, count: mean.count)) }
      else if case .batch(let m) = try distributions(c[1], c, "cov") { cov = .full(m) }
      else { cov = .diagonal(try RLValues.vector(c[1], c, "cov")) }
      return c.vm.heap.makeObject(GaussianBox(try RLValues.run(c) { try GaussianDistribution(mean: mean, covariance: cov) }))
    },
    Primitive("dimension", on: .property("gaussian"), returns: "an int", category: "divergences",
              doc: "k, the dimension.", example: "print(gaussian([0, 1]).dimension)  # 2") { c in
      Value((c.receiver.nativeObject.payload as? GaussianBox)?.distribution.dimension ?? 0)
    },
    Primitive("mean", on: .property("gaussian"), returns: "a list of floats", category: "divergences",
              doc: "μ.", example: "print(gaussian([0, 1]).mean)  # [0.0, 1.0]") { c in
      RLValues.list((c.receiver.nativeObject.payload as? GaussianBox)?.distribution.mean ?? [], c.vm)
    },
  ]
}
