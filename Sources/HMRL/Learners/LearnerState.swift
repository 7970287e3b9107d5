import HMTensor

/// Where a learner stands after an iteration: θ, how many iterations are done, and its
/// optimiser's state. Every stream of a learner is named by the iteration index, so a run resumed
/// from a state continues exactly as the uninterrupted run would have (tested bit for bit).
public struct LearnerState {
  /// θ after the last iteration done.
  public var parameters: ParameterList
  /// The iterations done: the index of the next iteration.
  public var iterationsDone: Int
  /// The outer optimiser's state when it is Adam (nil for SGD, TRPO/NPG and Reptile, which carry
  /// none from one iteration to the next).
  public var adam: AdamState?

  public init(parameters: ParameterList, iterationsDone: Int, adam: AdamState? = nil) {
    self.parameters = parameters
    self.iterationsDone = iterationsDone
    self.adam = adam
  }

  /// θ to start from, the first iteration, and Adam restored when a run resumes from `state`.
  /// - Throws: `RLError` naming `operation` when the state's parameters do not have the names and
  ///   shapes of `initialParameters`, or its Adam state is inconsistent.
  static func start(_ operation: String, initialParameters: ParameterList, resume state: LearnerState?,
                    adam: inout Adam) throws -> (parameters: ParameterList, firstIteration: Int) {
    guard let state else { return (initialParameters.detached(), 0) }
    guard state.parameters.names == initialParameters.names,
          zip(state.parameters.tensors, initialParameters.tensors).allSatisfy({ $0.shape == $1.shape }) else {
      throw RLError(.shapeMismatch, operation, "the state to resume has parameters \(state.parameters.names) of other names or shapes than θ")
    }
    guard state.iterationsDone >= 0 else {
      throw RLError(.invalidArgument, operation, "the state to resume has \(state.iterationsDone) iterations done")
    }
    if let saved = state.adam { try learnerCall(operation) { try adam.restore(saved) } }
    return (state.parameters.detached(), state.iterationsDone)
  }
}

/// Called after every iteration with its record and the learner's state; returning false stops
/// the run there (Ctrl-C in the REPL), and the result holds what was learned so far. Saving the
/// state (``LearnerState/save(to:metadata:)``) makes a checkpoint the run can resume from.
public typealias IterationObserver = (IterationRecord, LearnerState) -> Bool
