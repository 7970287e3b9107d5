#if canImport(Glibc)
import Glibc
#endif
import HMTensor

/// π_θ(a | o) = N(μ_θ(o), diag(σ²)): a diagonal Gaussian whose mean is an MLP of the
/// observation and whose log-standard-deviation is a learned, state-independent vector
/// (DESIGN.md §5, pytorch-maml-rl's `NormalMLPPolicy`).
///
/// Parameters, in order: `layer1.weight` `[obs, h₁]`, `layer1.bias`, …, `mean.weight`,
/// `mean.bias`, `log_std` `[actionSize]` (initialised to `initialLogStd`, 0 ⇒ σ = 1). Weights
/// are Xavier-uniform, biases zero. log σ is clamped below at `minLogStd` (log 1e-6) wherever
/// it is used. Actions are not squashed: environments clip them (2D navigation clips to ±0.1).
///
/// ```swift
/// let policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [100, 100])
/// var rng = RandomStream(seed: 1)
/// let theta = try policy.initialParameters(using: &rng)
/// let logp = try policy.logProb(obs, actions, parameters: theta)   // [N]
/// ```
public struct GaussianMLPPolicy: StochasticPolicy, Sendable, Equatable {
  /// The network from observations to action means.
  public let network: MultilayerPerceptron
  /// The initial log σ of every action dimension.
  public let initialLogStd: Double
  /// log σ is clamped below at this value (log 1e-6).
  public let minLogStd: Double
  /// The parameter dtype.
  public let dtype: DType

  public var observationSize: Int { network.sizes[0] }
  public var actionSize: Int { network.sizes[network.sizes.count - 1] }

  /// - Throws: `RLError` naming `mlp` for invalid sizes, `gaussianMLPPolicy` for a non-finite
  ///   initial or minimum log σ.
  public init(observationSize: Int, actionSize: Int, hidden: [Int] = [100, 100],
              activation: MultilayerPerceptron.Activation = .tanh, initialLogStd: Double = 0,
              minLogStd: Double = log(1e-6), dtype: DType = .float32) throws {
    guard initialLogStd.isFinite, minLogStd.isFinite else {
      throw RLError(.invalidArgument, "gaussianMLPPolicy", "log-std bounds must be finite")
    }
    network = try MultilayerPerceptron(sizes: [observationSize] + hidden + [actionSize],
                                       activation: activation, outputName: "mean")
    self.initialLogStd = initialLogStd
    self.minLogStd = minLogStd
    self.dtype = dtype
  }

  /// The `(name, shape)` of every parameter in order.
  public var parameterShapes: [(String, [Int])] { network.parameterShapes + [("log_std", [actionSize])] }

  public func initialParameters(using rng: inout RandomStream) throws -> ParameterList {
    try ParameterList(try network.initialParameters(dtype: dtype, using: &rng)
                      + [("log_std", try Tensor.full([actionSize], initialLogStd, dtype: dtype))])
  }

  /// μ_θ(o) `[N, actionSize]` and the clamped log σ `[actionSize]`.
  func distribution(_ observations: Tensor, _ parameters: ParameterList, _ op: String) throws -> (mean: Tensor, logStd: Tensor, lead: [Int]) {
    let lead = try leadingShape(observations, size: observationSize, operation: op, name: "observations")
    try checkParameterShapes(parameters, parameterShapes, operation: op)
    return try policyCall(op) {
      let mean = try network.forward(observations.reshaped([-1, observationSize]), parameters: parameters)
      let logStd = try parameters[parameters.count - 1].clamp(min: minLogStd)
      return (mean, logStd, lead)
    }
  }

  /// Σ_d [−½ ((a_d − μ_d)/σ_d)² − log σ_d − ½ log 2π], `[...]`.
  /// - Throws: `RLError` for wrong shapes.
  public func logProb(_ observations: Tensor, _ actions: Tensor, parameters: ParameterList) throws -> Tensor {
    let op = "gaussianMLPPolicy.logProb"
    let (mean, logStd, lead) = try distribution(observations, parameters, op)
    guard actions.shape == lead + [actionSize] else {
      throw RLError(.shapeMismatch, op, "actions have shape \(actions.shape), expected \(lead + [actionSize])")
    }
    return try policyCall(op) {
      let z = try (actions.reshaped([-1, actionSize]) - mean) * (-logStd).exp()
      let perDim = try (z * z) * -0.5 - logStd
      return try (perDim.sum(axis: -1) - 0.5 * Double(actionSize) * log(2 * Double.pi)).reshaped(lead)
    }
  }

  /// Σ_d (log σ_d + ½ log 2πe), the same for every observation, `[...]`.
  public func entropy(_ observations: Tensor, parameters: ParameterList) throws -> Tensor {
    let op = "gaussianMLPPolicy.entropy"
    let lead = try leadingShape(observations, size: observationSize, operation: op, name: "observations")
    try checkParameterShapes(parameters, parameterShapes, operation: op)
    return try policyCall(op) {
      let logStd = try parameters[parameters.count - 1].clamp(min: minLogStd)
      let h = try logStd.sum() + 0.5 * Double(actionSize) * (1 + log(2 * Double.pi))
      return try h.broadcast(to: lead)
    }
  }

  /// a = μ + σ·ε with ε ~ N(0, I) drawn row by row from `streams`; log-probabilities are
  /// computed from ε in double precision (no second forward pass).
  public func sample(_ observations: Tensor, parameters: ParameterList, streams: inout [RandomStream]) throws -> PolicySample {
    let op = "gaussianMLPPolicy.sample"
    let lead = try leadingShape(observations, size: observationSize, operation: op, name: "observations")
    try checkParameterShapes(parameters, parameterShapes, operation: op)
    let (mean, logStdT) = try policyCall(op) {
      (try network.evaluateWithoutGradient(observations.reshaped([lead.reduce(1, *), observationSize]), parameters: parameters),
       try parameters[parameters.count - 1].detached().clamp(min: minLogStd))
    }
    let n = mean.shape[0], d = actionSize
    guard streams.count == n else {
      throw RLError(.shapeMismatch, op, "\(n) observations but \(streams.count) random streams")
    }
    let logStd = logStdT.toArray()
    let std = logStd.map { exp($0) }
    let mu = mean.toArray()
    var actions = [Double](repeating: 0, count: n * d)
    var logProbs = [Double](repeating: 0, count: n)
    let constant = -logStd.reduce(0, +) - 0.5 * Double(d) * log(2 * Double.pi)
    for i in 0..<n {
      var lp = constant
      for k in 0..<d {
        let eps = streams[i].normal()
        actions[i * d + k] = mu[i * d + k] + std[k] * eps
        lp -= 0.5 * eps * eps
      }
      logProbs[i] = lp
    }
    return PolicySample(actions: try Tensor(actions, shape: [n, d], dtype: dtype),
                        logProbs: try Tensor(logProbs, shape: [n], dtype: dtype))
  }

  /// μ_θ(o), `[..., actionSize]`.
  public func greedyAction(_ observations: Tensor, parameters: ParameterList) throws -> Tensor {
    let op = "gaussianMLPPolicy.greedyAction"
    let (mean, _, lead) = try distribution(observations.detached(), parameters.detached(), op)
    return try policyCall(op) { try mean.reshaped(lead + [actionSize]) }
  }
}
