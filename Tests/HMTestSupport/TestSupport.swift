import Foundation
import HMTensor
import Testing

/// Shared domain assertions for hmaml's test targets.
public enum TestSupport {
  /// The directory `../shared/fixtures` next to the repository root containing `file`.
  public static func fixturesDirectory(file: String = #filePath) -> URL {
    var url = URL(fileURLWithPath: file)
    // <repo>/Tests/<Target>/<File>.swift → <repo>
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
  }
}

/// Whether `a` and `b` agree to `atol + rtol·max(|a|, |b|)`; NaN equals NaN, equal infinities agree.
public func isClose(_ a: Double, _ b: Double, rtol: Double, atol: Double) -> Bool {
  if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
  if a.isInfinite || b.isInfinite { return a == b }
  return Swift.abs(a - b) <= atol + rtol * Swift.max(Swift.abs(a), Swift.abs(b))
}

/// Records an issue naming the first differing position when two arrays do not agree.
public func expectClose(_ actual: [Double], _ expected: [Double], rtol: Double = 1e-9,
                        atol: Double = 0, _ what: String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) {
  guard actual.count == expected.count else {
    Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    return
  }
  var worst = -1
  var worstErr = 0.0
  for i in actual.indices where !isClose(actual[i], expected[i], rtol: rtol, atol: atol) {
    let err = Swift.abs(actual[i] - expected[i])
    if worst < 0 || err > worstErr || err.isNaN { worst = i; worstErr = err }
  }
  if worst >= 0 {
    Issue.record("\(what): element \(worst) is \(actual[worst]), expected \(expected[worst]) (rtol \(rtol), atol \(atol))",
                 sourceLocation: sourceLocation)
  }
}

/// Tensor form of ``expectClose(_:_:rtol:atol:_:sourceLocation:)`` that also compares shapes.
public func expectClose(_ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-9, atol: Double = 0,
                        _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
  guard actual.shape == expected.shape else {
    Issue.record("\(what): shape \(actual.shape), expected \(expected.shape)", sourceLocation: sourceLocation)
    return
  }
  expectClose(actual.toArray(), expected.toArray(), rtol: rtol, atol: atol, what, sourceLocation: sourceLocation)
}

/// Deterministic float64 test data: uniform in [low, high) from a named stream.
public func randomTensor(_ shape: [Int], seed: UInt64, low: Double = -1, high: Double = 1,
                         dtype: DType = .float64) -> Tensor {
  var rng = RandomStream(seed: seed, stream: [0x7E57])
  let n = shape.reduce(1, *)
  return try! Tensor((0..<n).map { _ in rng.uniform(low, high) }, shape: shape, dtype: dtype)
}

/// Projects a tensor-valued function to a scalar with fixed random weights, so gradient
/// checks exercise a generic cotangent rather than all ones.
func projected(_ f: @escaping ([Tensor]) throws -> Tensor, seed: UInt64) -> ([Tensor]) throws -> Tensor {
  { xs in
    let y = try f(xs)
    let w = randomTensor(y.shape, seed: seed ^ 0xABCD, low: 0.5, high: 1.5, dtype: y.dtype)
    return try (y * w).sum()
  }
}

/// Central finite differences of a scalar function at `inputs` (float64), one array per input.
public func numericalGradients(_ f: ([Tensor]) throws -> Tensor, at inputs: [Tensor],
                               step h: Double = 1e-6) throws -> [[Double]] {
  var result: [[Double]] = []
  for (k, x) in inputs.enumerated() {
    var base = x.toArray()
    var g = [Double](repeating: 0, count: base.count)
    for i in base.indices {
      let orig = base[i]
      var xs = inputs
      base[i] = orig + h
      xs[k] = try Tensor(base, shape: x.shape, dtype: .float64)
      let fp = try f(xs).item()
      base[i] = orig - h
      xs[k] = try Tensor(base, shape: x.shape, dtype: .float64)
      let fm = try f(xs).item()
      base[i] = orig
      g[i] = (fp - fm) / (2 * h)
    }
    result.append(g)
  }
  return result
}

/// Checks reverse-mode gradients of `f` (projected to a scalar with random weights) against
/// central finite differences, and — unless `secondOrder` is false — the Hessian-vector product
/// (double backprop) against finite differences of the analytic gradient along a random v.
public func checkGradients(_ name: String, at inputs: [Tensor], rtol: Double = 1e-6,
                           atol: Double = 1e-7, secondOrder: Bool = true, seed: UInt64 = 1,
                           sourceLocation: SourceLocation = #_sourceLocation,
                           _ f: @escaping ([Tensor]) throws -> Tensor) throws {
  let loss = projected(f, seed: seed)
  let vars = inputs.map { $0.variable() }
  let analytic = try gradients(of: loss(vars), wrt: vars)
  let numeric = try numericalGradients(loss, at: inputs)
  for k in inputs.indices {
    expectClose(analytic[k].toArray(), numeric[k], rtol: rtol, atol: atol,
                "\(name): gradient of input \(k)", sourceLocation: sourceLocation)
  }
  guard secondOrder else { return }
  let v = inputs.enumerated().map { randomTensor($0.element.shape, seed: seed &+ 100 &+ UInt64($0.offset)) }
  let hv = try hessianVectorProduct(of: loss(vars), wrt: vars, vector: v)
  let h = 1e-5
  func gradAt(_ sign: Double) throws -> [[Double]] {
    let xs = try zip(inputs, v).map { x, d in try (x + sign * h * d).detached().variable() }
    return try gradients(of: loss(xs), wrt: xs).map { $0.toArray() }
  }
  let gp = try gradAt(1), gm = try gradAt(-1)
  for k in inputs.indices {
    let fd = zip(gp[k], gm[k]).map { ($0 - $1) / (2 * h) }
    expectClose(hv[k].toArray(), fd, rtol: 1e-5, atol: 1e-6,
                "\(name): Hessian-vector product of input \(k)", sourceLocation: sourceLocation)
  }
}

/// Records an issue unless `body` throws a `TensorError` of `kind` whose message contains
/// every string in `mentions`.
public func expectTensorError(_ kind: TensorError.Kind, mentions: [String] = [],
                              sourceLocation: SourceLocation = #_sourceLocation,
                              _ body: () throws -> Any) {
  do {
    _ = try body()
    Issue.record("expected TensorError.\(kind), got success", sourceLocation: sourceLocation)
  } catch let e as TensorError {
    if e.kind != kind {
      Issue.record("expected TensorError.\(kind), got \(e.kind): \(e)", sourceLocation: sourceLocation)
    }
    for m in mentions where !e.message.contains(m) {
      Issue.record("error '\(e)' does not mention '\(m)'", sourceLocation: sourceLocation)
    }
  } catch {
    Issue.record("expected TensorError, got \(error)", sourceLocation: sourceLocation)
  }
}

/// Paths shared by the test targets.
public enum TestPaths {
  /// The repository root (this file is Tests/HMTestSupport/TestSupport.swift).
  public static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  /// `../shared` beside the repository (fixtures, peer benchmarks).
  public static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
  public static func fixture(_ name: String) -> URL { shared.appendingPathComponent("fixtures").appendingPathComponent(name) }
}

/// Relative closeness for numeric assertions: |a − b| ≤ tol · max(1, |a|, |b|).
public func isClose(_ a: Double, _ b: Double, relative tol: Double) -> Bool {
  if a == b { return true }
  if a.isNaN || b.isNaN { return false }
  return abs(a - b) <= tol * max(1, abs(a), abs(b))
}
