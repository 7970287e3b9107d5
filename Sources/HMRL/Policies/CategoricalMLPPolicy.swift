import HMTensor

/// π_θ(a | o) = softmax(MLP_θ(o))_a: a categorical policy over `actionCount` actions with an
/// MLP body (weights `[in, out]`, Xavier-uniform; zero biases).
///
/// Parameters, in order: `layer1.weight`, `layer1.bias`, …, `logits.weight`, `logits.bias`.
public struct CategoricalMLPPolicy: StochasticPolicy, Sendable, Equatable {
  /// The network from observations to logits.
  public let network: MultilayerPerceptron
  /// The parameter dtype.
  public let dtype: DType
  /// |A|.
  public var actionCount: Int { network.sizes[network.sizes.count - 1] }
  public var observationSize: Int { network.sizes[0] }
  public var actionSize: Int { 1 }

  /// - Throws: `RLError` naming `mlp` for invalid sizes.
  public init(observationSize: Int, actionCount: Int, hidden: [Int] = [64, 64],
              activation: MultilayerPerceptron.Activation = .tanh, dtype: DType = .float32) throws {
    network = try MultilayerPerceptron(sizes: [observationSize] + hidden + [actionCount],
                                       activation: activation, outputName: "logits")
    self.dtype = dtype
  }

  public func initialParameters(using rng: inout RandomStream) throws -> ParameterList {
    try ParameterList(try network.initialParameters(dtype: dtype, using: &rng))
  }

  func logits(_ observations: Tensor, _ parameters: ParameterList, _ op: String) throws -> (Tensor, [Int]) {
    let lead = try leadingShape(observations, size: observationSize, operation: op, name: "observations")
    try checkParameterShapes(parameters, network.parameterShapes, operation: op)
    let l = try policyCall(op) {
      try network.forward(observations.reshaped([-1, observationSize]), parameters: parameters)
    }
    return (l, lead)
  }

  /// - Throws: `RLError` for wrong shapes or an action out of range.
  public func logProb(_ observations: Tensor, _ actions: Tensor, parameters: ParameterList) throws -> Tensor {
    let op = "categoricalMLPPolicy.logProb"
    let (l, lead) = try logits(observations, parameters, op)
    let idx = try CategoricalHead.indices(actions, lead: lead, actionCount: actionCount, operation: op)
    return try policyCall(op) { try CategoricalHead.logProb(logits: l, indices: idx).reshaped(lead) }
  }

  public func entropy(_ observations: Tensor, parameters: ParameterList) throws -> Tensor {
    let op = "categoricalMLPPolicy.entropy"
    let (l, lead) = try logits(observations, parameters, op)
    return try policyCall(op) { try CategoricalHead.entropy(logits: l).reshaped(lead) }
  }

  public func sample(_ observations: Tensor, parameters: ParameterList, streams: inout [RandomStream]) throws -> PolicySample {
    let op = "categoricalMLPPolicy.sample"
    let lead = try leadingShape(observations, size: observationSize, operation: op, name: "observations")
    try checkParameterShapes(parameters, network.parameterShapes, operation: op)
    let l = try policyCall(op) {
      try network.evaluateWithoutGradient(observations.reshaped([lead.reduce(1, *), observationSize]), parameters: parameters)
    }
    return try CategoricalHead.sample(logits: l, streams: &streams, operation: op)
  }

  public func greedyAction(_ observations: Tensor, parameters: ParameterList) throws -> Tensor {
    let op = "categoricalMLPPolicy.greedyAction"
    let (l, lead) = try logits(observations.detached(), parameters.detached(), op)
    return try policyCall(op) { try CategoricalHead.greedy(logits: l).reshaped(lead + [1]) }
  }
}
