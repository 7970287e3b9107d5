/// What the Siamese network f_φ sees of a task T: its feature vector, or a set of transitions
/// experienced on it (DESIGN.md §4: a task is an MDP plus a feature vector; tasks known only
/// through experience are described by what happened on them).
///
/// ```swift
/// let goal = TaskDescription.features([0.3, -0.1])
/// let seen = try TaskDescription(transitionsOf: buffer.entries.map(\.trajectory))
/// ```
public enum TaskDescription: Sendable, Equatable, Codable {
  /// A feature vector, `[inputSize]` (for goal tasks: the goal coordinates).
  case features([Double])
  /// n transitions, row-major `[n * transitionSize]`; their order does not matter.
  case transitions([Double], transitionSize: Int)

  /// The row size of a transition (s, a, r, s′): `2·observationSize + actionSize + 1`.
  public static func transitionSize(observationSize: Int, actionSize: Int) -> Int {
    2 * observationSize + actionSize + 1
  }

  /// The transitions of `trajectories` (all of one task), one row (s_t, a_t, r_t, s_{t+1}) per
  /// step; a last step whose next observation is unknown (``Trajectory/nextObservation(after:)``
  /// is nil) is skipped.
  /// - Throws: `RLError` naming `siamese.transitions` when the trajectories disagree in
  ///   observation or action size, or hold no complete transition.
  /// - Complexity: O(total steps · transitionSize).
  public init(transitionsOf trajectories: [Trajectory]) throws {
    let op = "siamese.transitions"
    guard let first = trajectories.first else {
      throw RLError(.invalidArgument, op, "no trajectories to take transitions from")
    }
    let o = first.observationSize, a = first.actionSize
    var rows: [Double] = []
    for (k, t) in trajectories.enumerated() {
      guard t.observationSize == o, t.actionSize == a else {
        throw RLError(.shapeMismatch, op, "trajectory \(k) has observation and action sizes \(t.observationSize), \(t.actionSize); trajectory 0 has \(o), \(a)")
      }
      for step in 0..<t.length {
        guard let next = t.nextObservation(after: step) else { continue }
        rows += t.observations[(step * o)..<((step + 1) * o)]
        rows += t.actions[(step * a)..<((step + 1) * a)]
        rows.append(t.rewards[step])
        rows += next
      }
    }
    guard !rows.isEmpty else {
      throw RLError(.invalidArgument, op, "the \(trajectories.count) trajectories hold no complete transition (s, a, r, s′)")
    }
    self = .transitions(rows, transitionSize: TaskDescription.transitionSize(observationSize: o, actionSize: a))
  }

  /// The task's numbers checked against `configuration`: `[inputSize]` for features,
  /// `[n * inputSize]` with n ≥ 1 for transitions; `index` names the task in errors.
  /// - Throws: `RLError` naming `operation`.
  func validatedValues(for configuration: SiameseConfiguration, index: Int, operation op: String) throws -> [Double] {
    let values: [Double]
    switch (self, configuration.encoder) {
    case (.features(let v), .features):
      guard v.count == configuration.inputSize else {
        throw RLError(.shapeMismatch, op, "task \(index) has \(v.count) features, expected \(configuration.inputSize)")
      }
      values = v
    case (.transitions(let v, let size), .transitions):
      guard size == configuration.inputSize else {
        throw RLError(.shapeMismatch, op, "task \(index) has transitions of size \(size), expected \(configuration.inputSize)")
      }
      guard !v.isEmpty, v.count % size == 0 else {
        throw RLError(.shapeMismatch, op, "task \(index) has \(v.count) numbers: not a positive multiple of the transition size \(size)")
      }
      values = v
    case (.features, .transitions):
      throw RLError(.invalidArgument, op, "task \(index) is described by features but the network encodes transitions")
    case (.transitions, .features):
      throw RLError(.invalidArgument, op, "task \(index) is described by transitions but the network encodes features")
    }
    guard values.allSatisfy(\.isFinite) else {
      throw RLError(.invalidArgument, op, "task \(index) has non-finite numbers")
    }
    return values
  }
}
