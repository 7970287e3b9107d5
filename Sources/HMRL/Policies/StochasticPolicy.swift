import HMTensor

/// Actions drawn from a policy with their log-probabilities under it.
public struct PolicySample {
  /// The actions, `[N, actionSize]` (a discrete action is its index as a float).
  public let actions: Tensor
  /// log π(a | o) of each action, `[N]`, in nats (the behaviour log-probabilities).
  public let logProbs: Tensor
}

/// A stochastic policy written in differentiable tensor operations, *functional* in its
/// parameters: every method takes the parameter list θ explicitly, so an adapted θ′ (MAML's
/// inner step) is just another ``ParameterList`` of the same names and shapes.
///
/// Shapes: observations `[..., observationSize]`, actions `[..., actionSize]` (for a discrete
/// policy `actionSize == 1` and the number is the action index); the leading axes are any
/// (`[N]`, `[B, T]`), and per-action results (`logProb`, `entropy`) have exactly those axes.
public protocol StochasticPolicy {
  /// Numbers per observation.
  var observationSize: Int { get }
  /// Numbers per action (1 for a discrete policy).
  var actionSize: Int { get }
  /// Fresh parameters θ₀ drawn from `rng` (the policy's documented initialisation).
  func initialParameters(using rng: inout RandomStream) throws -> ParameterList
  /// log π_θ(a | o), `[...]`, differentiable with respect to `parameters` (to any order).
  func logProb(_ observations: Tensor, _ actions: Tensor, parameters: ParameterList) throws -> Tensor
  /// The entropy of π_θ(· | o) in nats, `[...]`, differentiable.
  func entropy(_ observations: Tensor, parameters: ParameterList) throws -> Tensor
  /// One action per observation row: row i draws only from `streams[i]` (the sampler's
  /// per-episode streams), so a row's action never depends on the other rows.
  /// `observations` is `[N, observationSize]` with `N == streams.count`; no graph is recorded.
  func sample(_ observations: Tensor, parameters: ParameterList, streams: inout [RandomStream]) throws -> PolicySample
  /// The most probable action per observation, `[..., actionSize]` (the mean for a Gaussian,
  /// the arg-max index, lowest on ties, for a categorical).
  func greedyAction(_ observations: Tensor, parameters: ParameterList) throws -> Tensor
}

extension StochasticPolicy {
  /// Actions for `observations` `[..., observationSize]`, drawn from `rng`: each call consumes
  /// one draw of `rng` to name a fresh set of row streams, so successive calls differ.
  /// - Throws: `RLError` for wrong shapes or parameters.
  public func sample(_ observations: Tensor, parameters: ParameterList,
                     using rng: inout RandomStream) throws -> PolicySample {
    let lead = try leadingShape(observations, size: observationSize, operation: "sample", name: "observations")
    let n = lead.reduce(1, *)
    let base = RandomStream(seed: rng.seed, stream: rng.stream + [rng.next()])
    var streams = (0..<n).map { base.child(UInt64($0)) }
    let flat = try observations.reshaped([n, observationSize])
    let s = try sample(flat, parameters: parameters, streams: &streams)
    return PolicySample(actions: try s.actions.reshaped(lead + [actionSize]), logProbs: try s.logProbs.reshaped(lead))
  }
}

/// The leading axes of `x` when its last axis has `size` entries.
/// - Throws: `RLError` (`.shapeMismatch`) naming `operation` otherwise.
func leadingShape(_ x: Tensor, size: Int, operation: String, name: String) throws -> [Int] {
  guard x.rank >= 1, x.shape[x.rank - 1] == size else {
    throw RLError(.shapeMismatch, operation, "\(name) have shape \(x.shape), expected [..., \(size)]")
  }
  return Array(x.shape.dropLast())
}

/// Converts a tensor error into an `RLError` naming the policy operation, keeping its message.
func policyCall<T>(_ operation: String, _ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let e as TensorError {
    throw RLError(.shapeMismatch, operation, e.message)
  }
}

/// Checks that `parameters` has exactly `expected` shapes, in order.
/// - Throws: `RLError` (`.shapeMismatch`) naming `operation` and the first offending parameter.
func checkParameterShapes(_ parameters: ParameterList, _ expected: [(String, [Int])], operation: String) throws {
  guard parameters.count == expected.count else {
    throw RLError(.shapeMismatch, operation, "expected \(expected.count) parameters (\(expected.map(\.0).joined(separator: ", "))), got \(parameters.count)")
  }
  for (i, (name, shape)) in expected.enumerated() where parameters[i].shape != shape {
    throw RLError(.shapeMismatch, operation, "parameter \(i) (\(name)) has shape \(parameters[i].shape), expected \(shape)")
  }
}
