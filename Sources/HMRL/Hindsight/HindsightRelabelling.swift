/// Hindsight relabelling (DESIGN.md §4, guided training): a trajectory stored in the buffer R for
/// a task Tᵢ, re-read as if it had been sampled on this task T.
///
/// The states and actions stay what they were; the rewards are recomputed with T's reward
/// function, and the episode is cut where T would have ended it: after the first step that
/// enters one of T's terminal states (or meets T's termination rule), and after T's horizon.
/// The behaviour log-probabilities of the kept steps are kept (they are what the importance
/// weights of guided training divide by).
///
/// Provenance: the result's `taskIndex` is the source's (it names the batch the steps came from,
/// which T knows nothing about); its `features` are T's, since its rewards are now T's.
public protocol HindsightRelabelling {
  /// `trajectory` with its rewards recomputed under this task and cut where this task would have
  /// ended it.
  /// - Throws: `RLError` for a trajectory whose sizes do not fit this task, or whose states this
  ///   task cannot recover.
  func relabel(_ trajectory: Trajectory) throws -> Trajectory
}

extension Trajectory {
  /// The first `n` steps of this trajectory with `rewards` (`[n]`), `terminated`, T's
  /// `features` and `finalObservation` (the state after step n − 1).
  func relabelled(keeping n: Int, rewards: [Double], terminated: Bool, features: [Double],
                  finalObservation: [Double]) -> Trajectory {
    Trajectory(observations: Array(observations.prefix(n * observationSize)),
               actions: Array(actions.prefix(n * actionSize)), rewards: rewards,
               logProbs: Array(logProbs.prefix(n)), observationSize: observationSize, actionSize: actionSize,
               terminated: terminated, taskIndex: taskIndex, features: features, finalObservation: finalObservation)
  }

  /// Throws unless the flat arrays agree with `length` and the sizes are `observation`/`action`.
  func checkSizes(observation: Int, action: Int, _ operation: String) throws {
    guard observationSize == observation, actionSize == action else {
      throw RLError(.shapeMismatch, operation, "the trajectory has observations of \(observationSize) numbers and actions of \(actionSize), the task has \(observation) and \(action)")
    }
    let n = length
    guard observations.count == n * observation, actions.count == n * action, logProbs.count == n else {
      throw RLError(.shapeMismatch, operation, "the trajectory's arrays do not agree: \(n) rewards, \(observations.count) observation numbers, \(actions.count) action numbers, \(logProbs.count) log-probabilities")
    }
  }
}

extension Navigation2D: HindsightRelabelling {
  /// Rewards from ``rewards(observations:actions:)`` (step t moves from oₜ to oₜ + clip(aₜ)); the
  /// episode is cut after the first step whose next position is within ``successTolerance`` of
  /// this goal on both axes (`terminated` true), and after ``horizon`` steps. When neither
  /// happens the episode keeps its length and `terminated` is false: it ended for the source
  /// task's reasons (its goal or its horizon), not this one's.
  ///
  /// The final observation of a cut trajectory is the computed position oₜ + clip(aₜ).
  /// - Throws: `RLError` naming `navigation2D.relabel` for a trajectory that is not 2D.
  /// - Complexity: O(n).
  public func relabel(_ trajectory: Trajectory) throws -> Trajectory {
    let op = "navigation2D.relabel"
    try trajectory.checkSizes(observation: 2, action: 2, op)
    let kept = min(trajectory.length, horizon)
    let obs = Array(trajectory.observations.prefix(2 * kept)), act = Array(trajectory.actions.prefix(2 * kept))
    let r = try rewards(observations: obs, actions: act)
    for t in 0..<kept {
      let x = obs[2 * t] + Swift.min(Swift.max(act[2 * t], -maxAction), maxAction)
      let y = obs[2 * t + 1] + Swift.min(Swift.max(act[2 * t + 1], -maxAction), maxAction)
      // The same rule as `step`: a zero tolerance never ends an episode.
      if Swift.abs(x - goal[0]) < successTolerance && Swift.abs(y - goal[1]) < successTolerance {
        return trajectory.relabelled(keeping: t + 1, rewards: Array(r.prefix(t + 1)), terminated: true,
                                     features: features, finalObservation: [x, y])
      }
    }
    let final: [Double]
    if kept == trajectory.length {
      final = trajectory.finalObservation
    } else {
      final = Array(trajectory.observations[(2 * kept)..<(2 * kept + 2)])
    }
    return trajectory.relabelled(keeping: kept, rewards: r, terminated: false, features: features,
                                 finalObservation: final)
  }
}

extension TabularEnvironment: HindsightRelabelling {
  /// Each step's state is recovered from its observation (the row of ``observationTable`` it
  /// equals exactly, or after rounding both to float32, since batches are float32 by default);
  /// the next state from the next observation or the trajectory's `finalObservation`. Step t
  /// then earns cₜ·R(sₜ, aₜ, sₜ₊₁) of this MDP, exactly what ``step(_:actions:alive:streams:)``
  /// pays, and the episode is cut after the first step entering a terminal state of this MDP
  /// (`terminated` true) and after its horizon. A step taken *in* one of this MDP's terminal
  /// states (only possible at t = 0) earns 0 and ends the episode there, as in `step`.
  /// Slippery moves need no model: the next state is read, not drawn.
  ///
  /// - Throws: `RLError` naming `tabularEnvironment.relabel`: sizes that do not fit, an
  ///   observation that matches no state (or several), an action outside 0..<A, or an unknown
  ///   final observation (a trajectory from a buffer file without it) when the last step's
  ///   reward is needed.
  /// - Complexity: O(S·observationSize + n·observationSize).
  public func relabel(_ trajectory: Trajectory) throws -> Trajectory {
    let op = "tabularEnvironment.relabel"
    try trajectory.checkSizes(observation: observationSize, action: 1, op)
    let lookup = StateLookup(table: observationTable, observationSize: observationSize)
    let n = min(trajectory.length, horizon), o = observationSize
    var rewards = [Double]()
    rewards.reserveCapacity(n)
    guard n > 0 else {
      return trajectory.relabelled(keeping: 0, rewards: [], terminated: false, features: features,
                                   finalObservation: trajectory.finalObservation)
    }
    var s = try lookup.state(of: trajectory.observations[0..<o], op, "observation of step 0")
    for t in 0..<n {
      let v = trajectory.actions[t]
      guard v.isFinite, v == v.rounded(), v >= 0, v < Double(mdp.actionCount) else {
        throw RLError(.outOfRange, op, "action \(v) of step \(t) is out of range 0..<\(mdp.actionCount)")
      }
      let here = Array(observationTable[(s * o)..<((s + 1) * o)])
      if mdp.isTerminal[s] {
        rewards.append(0)
        return trajectory.relabelled(keeping: t + 1, rewards: rewards, terminated: true, features: features,
                                     finalObservation: here)
      }
      guard let nextRow = trajectory.nextObservation(after: t) else {
        throw RLError(.shapeMismatch, op, "the observation after the last step (\(t)) is unknown (a trajectory stored without its final observation), so its reward under this task cannot be recomputed")
      }
      let next = try lookup.state(of: nextRow, op, t + 1 < trajectory.length ? "observation of step \(t + 1)" : "final observation")
      rewards.append(mdp.rewardScale(step: t) * mdp.rewardUnchecked(state: s, action: Int(v), next: next))
      let nextObservation = Array(observationTable[(next * o)..<((next + 1) * o)])
      if mdp.isTerminal[next] || t == n - 1 {
        return trajectory.relabelled(keeping: t + 1, rewards: rewards, terminated: mdp.isTerminal[next],
                                     features: features, finalObservation: nextObservation)
      }
      s = next
    }
    // Unreachable: the loop returns at t = n − 1.
    return trajectory.relabelled(keeping: n, rewards: rewards, terminated: false, features: features,
                                 finalObservation: trajectory.finalObservation)
  }
}

/// The state whose observation-table row an observation is: exact match first, then a match
/// after rounding to float32 (a float32 batch stores 1/3 as 0.3333333432674408).
struct StateLookup {
  private var exact: [[Double]: Int] = [:]
  private var rounded: [[Float]: Int] = [:]
  /// Rows shared by several states (−1 in the dictionaries marks them).
  private static let ambiguous = -1

  init(table: [Double], observationSize o: Int) {
    let count = o > 0 ? table.count / o : 0
    for s in 0..<count {
      let row = Array(table[(s * o)..<((s + 1) * o)])
      exact[row] = exact[row] == nil ? s : StateLookup.ambiguous
      let low = row.map { Float($0) }
      rounded[low] = rounded[low] == nil ? s : StateLookup.ambiguous
    }
  }

  /// - Throws: `RLError` (`.outOfRange`) naming `operation` when `observation` (`what`) is no
  ///   state's row or is several states' row.
  func state(of observation: ArraySlice<Double>, _ operation: String, _ what: String) throws -> Int {
    let row = Array(observation)
    let found = exact[row] ?? rounded[row.map { Float($0) }]
    guard let s = found else {
      throw RLError(.outOfRange, operation, "the \(what) \(row) is the observation of no state of this task")
    }
    guard s != StateLookup.ambiguous else {
      throw RLError(.outOfRange, operation, "the \(what) \(row) is the observation of several states; the state cannot be recovered")
    }
    return s
  }
}
