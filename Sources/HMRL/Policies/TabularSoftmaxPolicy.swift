import HMTensor

/// π_θ(a | s) = softmax(θ[s])_a over a finite MDP: one logit per (state, action).
///
/// Observations are one-hot states `[..., S]` (``TabularEnvironment``'s default), so the logits
/// are `o @ θ` — differentiable, and exact for any observation that is a distribution over
/// states. Parameters: `logits` `[S, A]`, initialised to zero (the uniform policy).
public struct TabularSoftmaxPolicy: StochasticPolicy, Sendable, Equatable {
  /// |S|.
  public let stateCount: Int
  /// |A|.
  public let actionCount: Int
  /// The parameter dtype.
  public let dtype: DType

  public var observationSize: Int { stateCount }
  public var actionSize: Int { 1 }

  /// - Throws: `RLError` naming `tabularSoftmaxPolicy` for a count < 1.
  public init(stateCount: Int, actionCount: Int, dtype: DType = .float32) throws {
    guard stateCount >= 1, actionCount >= 1, stateCount <= 1 << 20, actionCount <= 1 << 16,
          stateCount * actionCount <= 1 << 26 else {
      throw RLError(.invalidArgument, "tabularSoftmaxPolicy", "need 1 to 2^26 (state, action) pairs, got \(stateCount) states and \(actionCount) actions")
    }
    self.stateCount = stateCount
    self.actionCount = actionCount
    self.dtype = dtype
  }

  /// The policy for an MDP's states and actions.
  public init(mdp: TabularMDP, dtype: DType = .float32) throws {
    try self.init(stateCount: mdp.stateCount, actionCount: mdp.actionCount, dtype: dtype)
  }

  /// `logits` `[S, A]` of zeros (draws nothing from `rng`).
  public func initialParameters(using rng: inout RandomStream) throws -> ParameterList {
    try ParameterList([("logits", try Tensor.zeros([stateCount, actionCount], dtype: dtype))])
  }

  func logits(_ observations: Tensor, _ parameters: ParameterList, _ op: String) throws -> (Tensor, [Int]) {
    let lead = try leadingShape(observations, size: stateCount, operation: op, name: "observations")
    try checkParameterShapes(parameters, [("logits", [stateCount, actionCount])], operation: op)
    let flat = try policyCall(op) { try observations.reshaped([-1, stateCount]).matmul(parameters[0]) }
    return (flat, lead)
  }

  /// - Throws: `RLError` for wrong shapes or an action out of range.
  public func logProb(_ observations: Tensor, _ actions: Tensor, parameters: ParameterList) throws -> Tensor {
    let op = "tabularSoftmaxPolicy.logProb"
    let (l, lead) = try logits(observations, parameters, op)
    let idx = try CategoricalHead.indices(actions, lead: lead, actionCount: actionCount, operation: op)
    return try policyCall(op) { try CategoricalHead.logProb(logits: l, indices: idx).reshaped(lead) }
  }

  public func entropy(_ observations: Tensor, parameters: ParameterList) throws -> Tensor {
    let op = "tabularSoftmaxPolicy.entropy"
    let (l, lead) = try logits(observations, parameters, op)
    return try policyCall(op) { try CategoricalHead.entropy(logits: l).reshaped(lead) }
  }

  public func sample(_ observations: Tensor, parameters: ParameterList, streams: inout [RandomStream]) throws -> PolicySample {
    let op = "tabularSoftmaxPolicy.sample"
    let (l, _) = try logits(observations.detached(), parameters.detached(), op)
    return try CategoricalHead.sample(logits: l, streams: &streams, operation: op)
  }

  public func greedyAction(_ observations: Tensor, parameters: ParameterList) throws -> Tensor {
    let op = "tabularSoftmaxPolicy.greedyAction"
    let (l, lead) = try logits(observations.detached(), parameters.detached(), op)
    return try policyCall(op) { try CategoricalHead.greedy(logits: l).reshaped(lead + [1]) }
  }

  /// The probability table softmax(θ) as a ``TabularPolicy`` for the exact tools
  /// (policy evaluation, occupancy, policy metrics).
  /// - Throws: `RLError` for wrong parameter shapes or non-finite logits.
  public func tabularPolicy(parameters: ParameterList) throws -> TabularPolicy {
    let op = "tabularSoftmaxPolicy.tabularPolicy"
    try checkParameterShapes(parameters, [("logits", [stateCount, actionCount])], operation: op)
    let p = try policyCall(op) { try parameters[0].detached().to(.float64).softmax(axis: -1).toArray() }
    guard p.allSatisfy(\.isFinite) else { throw RLError(.numerical, op, "logits are not finite") }
    // Renormalise rows in double precision so they pass TabularPolicy's 1e-9 check.
    var rows = p
    for s in 0..<stateCount {
      let total = rows[(s * actionCount)..<((s + 1) * actionCount)].reduce(0, +)
      for a in 0..<actionCount { rows[s * actionCount + a] /= total }
    }
    return try TabularPolicy(stateCount: stateCount, actionCount: actionCount, probabilities: rows)
  }
}
